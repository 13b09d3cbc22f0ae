// `npm run bundle`: the Claude Desktop bundle, binance-margin-mcp.mcpb, built with
// the MCPB CLI (@anthropic-ai/mcpb, a devDependency; no network).
//
// Stages what the bundle holds in a folder, then runs `mcpb pack` on it:
//   manifest.json   mcpb/manifest.json with the tools the server lists (dist/tool-list.json)
//   icon.png        drawn here (no binary file in the repository)
//   server/         the built server: dist/binance-margin-mcp.js, dist/chunks/, dist/tool-list.json
// The server is one esbuild bundle with every dependency inside, so no node_modules.
//
// node scripts/bundle.mjs [--stage DIR] [--out FILE] [--no-pack]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

/** A PNG of `size`×`size` RGBA pixels from `paint(x, y) → [r, g, b, a]`. */
export function png(size, paint) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(paint(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The icon: a yellow diamond inside a yellow diamond ring, on a dark rounded square. */
export function icon(size = 512) {
  const c = size / 2;
  const r = size * 0.12; // corner radius
  const yellow = [240, 185, 11, 255];
  const dark = [24, 26, 32, 255];
  const clear = [0, 0, 0, 0];
  const diamond = (x, y, cx, cy, half) => Math.abs(x - cx) + Math.abs(y - cy) <= half;
  return png(size, (x, y) => {
    const dx = Math.max(r - x, x - (size - 1 - r), 0);
    const dy = Math.max(r - y, y - (size - 1 - r), 0);
    if (dx * dx + dy * dy > r * r) return clear;
    const s = size / 512;
    if (diamond(x, y, c, c, 64 * s)) return yellow;
    if (diamond(x, y, c, c, 180 * s) && !diamond(x, y, c, c, 140 * s)) return yellow;
    return dark;
  });
}

/** Stages the bundle's files in `stage`; returns the manifest written there. */
export function stageBundle(stage) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'mcpb', 'manifest.json'), 'utf8'));
  if (manifest.version !== pkg.version)
    throw new Error(
      `mcpb/manifest.json has version ${manifest.version}, package.json ${pkg.version}: make them equal.`,
    );
  for (const f of ['binance-margin-mcp.js', 'chunks', 'tool-list.json'])
    if (!existsSync(join(ROOT, 'dist', f)))
      throw new Error(
        `dist/${f} is missing: run \`npm run build\` (or \`node scripts/build.mjs --bundle-only\`) first.`,
      );
  const toolList = JSON.parse(readFileSync(join(ROOT, 'dist', 'tool-list.json'), 'utf8'));
  // The tools a default start lists to the model: not list_toolsets / enable_toolset, which only --toolsets
  // dynamic adds, and not the app-only ones (MCP Apps `visibility: ["app"]`), which no model is offered.
  const DYNAMIC_ONLY = new Set(['list_toolsets', 'enable_toolset']);
  const appOnly = (t) => Array.isArray(t._meta?.ui?.visibility) && !t._meta.ui.visibility.includes('model');
  const tools = (toolList.tools ?? toolList)
    .filter((t) => !DYNAMIC_ONLY.has(t.name) && !appOnly(t))
    .map((t) => ({ name: t.name, description: t.description }));
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'server'), { recursive: true });
  const staged = { ...manifest, tools };
  writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(staged, null, 2)}\n`);
  writeFileSync(join(stage, 'icon.png'), icon());
  for (const f of ['binance-margin-mcp.js', 'chunks', 'tool-list.json'])
    cpSync(join(ROOT, 'dist', f), join(stage, 'server', f), { recursive: true });
  return staged;
}

/** The MCPB CLI of the devDependency. */
export function mcpbCli() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@anthropic-ai/mcpb')), 'cli', 'cli.js'); // dist/index.js → dist/cli/cli.js
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const own = !arg('--stage');
  const stage = arg('--stage') ? resolve(arg('--stage')) : mkdtempSync(join(tmpdir(), 'bmm-mcpb-'));
  const out = resolve(arg('--out') ?? join(ROOT, 'binance-margin-mcp.mcpb'));
  try {
    const m = stageBundle(stage);
    if (!process.argv.includes('--no-pack')) {
      execFileSync(process.execPath, [mcpbCli(), 'pack', stage, out], { stdio: ['ignore', 'ignore', 'inherit'] });
      console.log(
        `${out}: ${m.display_name} ${m.version}, ${m.tools.length} tools. Open it with Claude Desktop (Settings → ` +
          `Extensions) to install.`,
      );
    } else console.log(`staged in ${stage}`);
  } finally {
    if (own) rmSync(stage, { recursive: true, force: true });
  }
}
