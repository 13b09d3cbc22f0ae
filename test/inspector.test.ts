/**
 * CI smoke with a real third-party client: the MCP Inspector's CLI (a devDependency,
 * pinned) starts the built bundle over stdio on the sandbox, lists the tools and calls
 * one read tool: the same commands the README shows users.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { CATALOG } from '../src/catalog/index.js';
import { NON_ENDPOINT_TOOLS } from './helpers/tools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../binance-margin-mcp.js', import.meta.url));
const INSPECTOR_DIR = join(ROOT, 'node_modules', '@modelcontextprotocol', 'inspector');

/** The inspector's `mcp-inspector` executable, as node_modules/.bin links it. */
function inspectorEntry(): string {
  const manifest = JSON.parse(readFileSync(join(INSPECTOR_DIR, 'package.json'), 'utf8')) as {
    bin: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin['mcp-inspector'];
  return join(INSPECTOR_DIR, bin);
}

const home = mkdtempSync(join(tmpdir(), 'bmm-inspector-'));
after(() => rmSync(home, { recursive: true, force: true }));

/** `mcp-inspector --cli [--protocol-era modern] node dist/binance-margin-mcp.js --sandbox -e BINANCE_STATE_DIR=… ` +
  `<method args>` */
function inspector(
  methodArgs: string[],
  era: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = [
    inspectorEntry(),
    '--cli',
    ...era,
    process.execPath,
    BIN,
    '--sandbox',
    '-e',
    `BINANCE_STATE_DIR=${join(home, 'state')}`,
    '-e',
    'LOG_LEVEL=warn',
    ...methodArgs,
  ];
  // HOME is a scratch directory so that the inspector keeps nothing in the user's.
  const child = spawn(process.execPath, args, {
    cwd: home,
    env: { ...process.env, HOME: home, USERPROFILE: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the inspector did not finish in 45 s; stderr:\n${stderr}`));
    }, 45_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function parse(out: { code: number | null; stdout: string; stderr: string }): Record<string, any> {
  assert.equal(out.code, 0, `the inspector failed (exit ${out.code}):\n${out.stdout}\n${out.stderr}`);
  try {
    return JSON.parse(out.stdout);
  } catch {
    assert.fail(`the inspector's output is not JSON:\n${out.stdout}\n${out.stderr}`);
  }
}

describe('the MCP Inspector CLI against the built server', () => {
  test('the pinned inspector is installed', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const wanted = pkg.devDependencies['@modelcontextprotocol/inspector'];
    assert.match(wanted, /^\d+\.\d+\.\d+$/, 'pinned to one exact version');
    assert.equal(JSON.parse(readFileSync(join(INSPECTOR_DIR, 'package.json'), 'utf8')).version, wanted);
  });

  test('--method tools/list lists every tool', { timeout: 60_000 }, async () => {
    const result = parse(await inspector(['--method', 'tools/list']));
    const names = (result.tools as { name: string }[]).map((t) => t.name);
    assert.equal(names.length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
    assert.deepEqual([...names].sort(), [...CATALOG.map((e) => e.name), ...NON_ENDPOINT_TOOLS].sort());
    for (const name of ['place_order', 'confirm_action', 'borrow_or_repay', 'server_status'])
      assert.ok(names.includes(name), name);
    const place = (
      result.tools as { name: string; _meta?: Record<string, unknown>; annotations?: Record<string, unknown> }[]
    ).find((t) => t.name === 'place_order')!;
    assert.equal(place._meta?.['binance/endpoint'], 'POST /sapi/v1/margin/order');
    assert.equal(place.annotations?.readOnlyHint, false);
  });

  test('--method tools/call --tool-name get_price_index --tool-arg symbol=BTCUSDT answers from the sandbox', {
    timeout: 60_000,
  }, async () => {
    const result = parse(
      await inspector(['--method', 'tools/call', '--tool-name', 'get_price_index', '--tool-arg', 'symbol=BTCUSDT']),
    );
    assert.notEqual(result.isError, true, JSON.stringify(result));
    const s = result.structuredContent as {
      account: string;
      environment: string;
      endpoint: string;
      data: { symbol: string; price: string };
    };
    assert.equal(s.environment, 'sandbox');
    assert.equal(s.account, 'main');
    assert.equal(s.endpoint, 'GET /sapi/v1/margin/priceIndex');
    assert.equal(s.data.symbol, 'BTCUSDT');
    assert.match(s.data.price, /^\d+(\.\d+)?$/);
    assert.ok(Number(s.data.price) > 0);
    // content[0] holds the same object as JSON (docs/contract.md §4).
    assert.deepEqual(JSON.parse(result.content[0].text), s);
    assert.equal(
      result._meta?.['io.modelcontextprotocol/serverInfo'],
      undefined,
      'by default the inspector opens the 2025 way',
    );
  });

  test('--protocol-era modern: the inspector negotiates MCP 2026-07-28 (server/discover) and calls a tool', {
    timeout: 60_000,
  }, async () => {
    const listed = parse(await inspector(['--method', 'tools/list'], ['--protocol-era', 'modern']));
    assert.equal((listed.tools as unknown[]).length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
    const result = parse(
      await inspector(
        ['--method', 'tools/call', '--tool-name', 'get_price_index', '--tool-arg', 'symbol=BTCUSDT'],
        ['--protocol-era', 'modern'],
      ),
    );
    assert.notEqual(result.isError, true, JSON.stringify(result));
    // Only the 2026-07-28 encoding stamps the server's identity on every result.
    assert.equal(result._meta?.['io.modelcontextprotocol/serverInfo']?.name, 'binance-margin-mcp');
    assert.equal(result.structuredContent.environment, 'sandbox');
    assert.equal(result.structuredContent.data.symbol, 'BTCUSDT');
  });

  test('--method tools/list --strict finds no schema portability problem (issue 17)', { timeout: 60_000 }, async () => {
    const out = await inspector(['--method', 'tools/list', '--strict']);
    const result = parse(out);
    assert.ok((result.tools as unknown[]).length > CATALOG.length);
    assert.doesNotMatch(out.stderr, /portab|type-union|untyped-schema/i, out.stderr);
  });

  test('--tool-arg origClientOrderId=12345 (sent as a JSON number) is taken as the id, not refused (issue 17)', {
    timeout: 60_000,
  }, async () => {
    const out = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'get_order',
      '--tool-arg',
      'symbol=BTCUSDT',
      '--tool-arg',
      'origClientOrderId=12345',
    ]);
    // The sandbox looked the order up and has none: the id passed validation and reached the exchange.
    assert.notEqual(out.code, 0);
    const result = JSON.parse(out.stdout) as {
      isError?: boolean;
      structuredContent: { error: { kind: string; code?: number } };
    };
    assert.equal(result.isError, true);
    assert.equal(result.structuredContent.error.kind, 'binance', out.stdout);
    assert.equal(result.structuredContent.error.code, -2013);
  });
});
