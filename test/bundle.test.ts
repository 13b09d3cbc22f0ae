/**
 * The Claude Desktop bundle (`npm run bundle`, issue 21): the manifest passes
 * `mcpb validate` (the CLI of the devDependency, no network), the packed .mcpb holds
 * the built server and nothing else it needs, and the server unpacked from it starts
 * from the configuration the MCPB library derives from the manifest and the user's
 * answers: the sandbox when every field is empty, the account of the API key fields
 * (masked, its secret nowhere in the output) when they are filled.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { getMcpConfigForManifest } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { USAGE } from '../src/config.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { APP_ONLY_TOOLS } from './helpers/tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MCPB = join(ROOT, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};
const source = JSON.parse(readFileSync(join(ROOT, 'mcpb', 'manifest.json'), 'utf8')) as Record<string, any>;

const dir = mkdtempSync(join(tmpdir(), 'bmm-bundle-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const stage = join(dir, 'stage');
const packed = join(dir, 'binance-margin-mcp.mcpb');
const unpacked = join(dir, 'unpacked');

const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('the desktop bundle', () => {
  before(() => {
    const r = run([join(ROOT, 'scripts', 'bundle.mjs'), '--stage', stage, '--out', packed]);
    assert.equal(r.status, 0, r.stderr);
  });

  test('`npm run bundle` builds the server and packs it with the pinned MCPB CLI', () => {
    assert.equal(pkg.scripts.bundle, 'node scripts/build.mjs --bundle-only && node scripts/bundle.mjs');
    assert.match(pkg.devDependencies['@anthropic-ai/mcpb'], /^\d+\.\d+\.\d+$/, 'pinned');
    assert.ok(existsSync(packed));
  });

  test('`mcpb validate` passes on the manifest as bundled', () => {
    const r = run([MCPB, 'validate', join(stage, 'manifest.json')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Manifest schema validation passes!/);
    assert.doesNotMatch(r.stdout, /ERROR/);
  });

  test(
    "the manifest: this version, the tools the server lists, user settings passed as the server's environment " +
      'variables',
    () => {
      const staged = JSON.parse(readFileSync(join(stage, 'manifest.json'), 'utf8')) as Record<string, any>;
      assert.equal(source.version, pkg.version);
      assert.equal(staged.version, pkg.version);
      const toolList = JSON.parse(readFileSync(join(ROOT, 'dist', 'tool-list.json'), 'utf8')) as {
        tools: { name: string }[];
      };
      // Every tool a default start lists to the model: the two that only --toolsets dynamic adds, and the
      // app-only one, are left out.
      const listed = toolList.tools
        .map((t) => t.name)
        .filter((n) => n !== 'list_toolsets' && n !== 'enable_toolset' && !APP_ONLY_TOOLS.includes(n));
      assert.deepEqual(
        staged.tools.map((t: { name: string }) => t.name),
        listed,
      );
      assert.equal(staged.server.entry_point, 'server/binance-margin-mcp.js');
      assert.deepEqual(staged.server.mcp_config.args, ['${__dirname}/server/binance-margin-mcp.js']);
      const uc = staged.user_config as Record<
        string,
        { type: string; sensitive?: boolean; required?: boolean; default?: unknown }
      >;
      assert.equal(uc.tools_md.type, 'file');
      assert.equal(uc.api_key.sensitive, true);
      assert.equal(uc.api_secret.sensitive, true);
      assert.equal(uc.read_only.type, 'boolean');
      const env = staged.server.mcp_config.env as Record<string, string>;
      assert.equal(env.BINANCE_TOOLS_MD, '${user_config.tools_md}');
      assert.equal(env.BINANCE_API_KEY, '${user_config.api_key}');
      assert.equal(env.BINANCE_API_SECRET, '${user_config.api_secret}');
      assert.equal(env.BINANCE_READ_ONLY, '${user_config.read_only}');
      for (const [name, value] of Object.entries(env)) {
        assert.ok(USAGE.includes(name), `${name} is a variable the server reads`);
        const key = /^\$\{user_config\.([a-z_]+)\}$/.exec(value)?.[1];
        assert.ok(key && key in uc, `${name} comes from a user setting`);
      }
      for (const [key, o] of Object.entries(uc)) {
        assert.ok(Object.values(env).includes(`\${user_config.${key}}`), `${key} is used`);
        assert.notEqual(o.required, true, `${key} is optional: every field may stay empty (the sandbox)`);
      }
    },
  );

  test('the .mcpb holds the manifest, the icon and the built server, and no node_modules', () => {
    const r = run([MCPB, 'unpack', packed, unpacked]);
    assert.equal(r.status, 0, r.stderr);
    const top = readdirSync(unpacked).sort();
    assert.deepEqual(top, ['icon.png', 'manifest.json', 'server']);
    assert.deepEqual(readdirSync(join(unpacked, 'server')).sort(), [
      'binance-margin-mcp.js',
      'chunks',
      'tool-list.json',
    ]);
    assert.deepEqual(
      [...readFileSync(join(unpacked, 'icon.png')).subarray(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    );
  });

  /**
   * Starts the unpacked server as Claude Desktop would: the manifest's mcp_config with the user's answers substituted.
   */
  async function startUnpacked(userConfig: Record<string, string | number | boolean>) {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'));
    const home = mkdtempSync(join(dir, 'home-'));
    const cfg = await getMcpConfigForManifest({
      manifest,
      extensionPath: unpacked,
      systemDirs: { HOME: home, DESKTOP: home, DOCUMENTS: home, DOWNLOADS: home },
      userConfig,
      pathSeparator: '/',
    });
    assert.ok(cfg, 'the MCPB library derives a configuration');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: cfg.args ?? [],
      env: {
        ...(cfg.env ?? {}),
        PATH: process.env.PATH ?? '',
        HOME: home,
        BINANCE_STATE_DIR: join(home, 'state'),
        LOG_LEVEL: 'info',
      },
      cwd: home,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d) => (stderr += String(d)));
    const client = new Client({ name: 'bundle-test', version: '1.0.0' });
    await client.connect(transport);
    return {
      client,
      cfg,
      stderr: () => stderr,
      call: (name: string, args: Record<string, unknown> = {}) =>
        client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    };
  }

  test('unpacked, with every field left empty: the sandbox, every tool the manifest names', {
    timeout: 30_000,
  }, async () => {
    const s = await startUnpacked({});
    try {
      const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')) as {
        tools: { name: string }[];
      };
      assert.deepEqual(
        (await s.client.listTools()).tools.map((t) => t.name).sort(),
        manifest.tools.map((t) => t.name).sort(),
      );
      const status = (await s.call('server_status')).structuredContent as Record<string, any>;
      assert.equal(status.mode.sandbox, true);
      assert.equal(status.mode.readOnly, false);
      assert.match(s.stderr(), /started on the SANDBOX/);
    } finally {
      await s.client.close();
    }
  });

  test('unpacked, with an API key and secret, limits and read-only: the account main, masked, its secret nowhere', {
    timeout: 30_000,
  }, async () => {
    const key = randomApiKey();
    const secret = randomSecret();
    const s = await startUnpacked({
      api_key: key,
      api_secret: secret,
      read_only: true,
      max_order_value: 500,
      allowed_symbols: 'BTCUSDT,ETHUSDT',
    });
    try {
      assert.equal(
        s.cfg.env!.BINANCE_MAX_BORROW_VALUE,
        '${user_config.max_borrow_value}',
        'an empty number field stays a placeholder, which the server ignores',
      );
      const tools = (await s.client.listTools()).tools.map((t) => t.name);
      assert.ok(!tools.includes('place_order') && tools.includes('get_cross_margin_account'), 'read-only');
      const shown = (await s.call('show_account')).structuredContent as Record<string, any>;
      assert.equal(shown.name, 'main');
      assert.equal(shown.environment, 'Mainnet');
      assert.equal(shown.apiKey, `${key.slice(0, 5)}...${key.slice(-4)}`);
      assert.equal(shown.secret, `***...${secret.slice(-5)}`);
      assert.deepEqual(shown.limits, { maxOrderValueUsdt: 500, allowedSymbols: ['BTCUSDT', 'ETHUSDT'] });
      const listed = JSON.stringify(await s.call('list_accounts'));
      const status = JSON.stringify(await s.call('server_status'));
      assert.equal(JSON.parse(status).structuredContent.mode.sandbox, false);
      for (const text of [JSON.stringify(shown), listed, status, s.stderr()])
        assert.ok(!text.includes(secret) && !text.includes(key), 'no credential in results or logs');
    } finally {
      await s.client.close();
    }
  });
});
