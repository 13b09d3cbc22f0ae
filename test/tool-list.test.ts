/**
 * The tools/list answer: a snapshot of every tool (names, schemas, annotations), so a
 * schema change shows up in review, and its size, which an agent pays for in context.
 * UPDATE_SNAPSHOTS=1 npm test rewrites the snapshot.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { z } from 'zod';
import { CATALOG, TOOLSETS } from '../src/catalog/index.js';
import { inputSchemaOf } from '../src/tools/endpoint-tools.js';
import { startServer } from './helpers/mcp.js';
import { APP_ONLY_TOOLS } from './helpers/tools.js';

const SNAPSHOT = new URL('../../test/snapshots/tools-list.json', import.meta.url);

async function listTools(args: string[]) {
  const s = await startServer({ args: ['--sandbox', ...args] });
  try {
    return (await s.client.listTools()).tools;
  } finally {
    await s.close();
  }
}

test('every tool schema converts to JSON Schema', () => {
  for (const e of CATALOG) assert.doesNotThrow(() => z.toJSONSchema(inputSchemaOf(e), { io: 'input' }), e.name);
});

test('tools/list matches the snapshot', async () => {
  const tools = await listTools([]);
  const text = `${JSON.stringify(tools, null, 1)}\n`;
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(SNAPSHOT)) {
    mkdirSync(new URL('.', SNAPSHOT), { recursive: true });
    writeFileSync(SNAPSHOT, text);
  }
  const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8'));
  assert.deepEqual(
    JSON.parse(text),
    expected,
    'tools/list changed: review the diff and run UPDATE_SNAPSHOTS=1 npm test',
  );
});

test('tool-list size: the endpoint tools ≤ 10k tokens, the core toolset ≤ 3k', async () => {
  const size = (tools: unknown) => Buffer.byteLength(JSON.stringify(tools));
  const rows: [string, number, number][] = [];
  const all = await listTools([]);
  const endpoints = all.filter((t) => t._meta?.['binance/endpoint']);
  rows.push(['endpoints', endpoints.length, size(endpoints)]);
  rows.push(['all', all.length, size(all)]);
  rows.push(['read-only', ...((t) => [t.length, size(t)] as [number, number])(await listTools(['--read-only']))]);
  for (const ts of TOOLSETS) {
    const t = await listTools(['--toolsets', ts]);
    rows.push([ts, t.length, size(t)]);
  }
  console.log('tool-list size (bytes, ≈tokens = bytes/4):');
  for (const [name, n, bytes] of rows)
    console.log(
      `  ${name.padEnd(13)} ${String(n).padStart(3)} tools ${String(bytes).padStart(6)} B ≈ ` +
        `${Math.round(bytes / 4)} tokens`,
    );
  assert.equal(rows[0][1], 68);
  assert.ok(rows[0][2] / 4 <= 10_000, `endpoint tools: ${rows[0][2] / 4} tokens`);
  assert.ok(rows[1][2] / 4 <= 11_000, `all tools: ${rows[1][2] / 4} tokens`);
  const core = rows.find((r) => r[0] === 'core')!;
  assert.ok(core[2] / 4 <= 3_000, `core: ${core[2] / 4} tokens`);
});

test('the tool list the build wrote for the bundle is the one the server computes', async () => {
  const built = JSON.parse(readFileSync(new URL('../tool-list.json', import.meta.url), 'utf8')) as {
    version: string;
    tools: { name: string }[];
  };
  assert.equal(built.version, (await import('../src/version.js')).VERSION);
  const listed = JSON.parse(JSON.stringify(await listTools([]))) as { name: string }[];
  const names = new Set(listed.map((t) => t.name));
  // Every tool listed by default, as listed; plus what only --toolsets dynamic lists, and what only a client
  // that renders MCP Apps is offered.
  assert.deepEqual(
    built.tools.filter((t) => names.has(t.name)),
    listed,
  );
  assert.deepEqual(
    built.tools.filter((t) => !names.has(t.name)).map((t) => t.name),
    ['list_toolsets', 'enable_toolset', ...APP_ONLY_TOOLS],
  );
});
