/**
 * The built bundle over stdio, driven by raw JSON-RPC lines as a client of either
 * protocol generation writes them: `server/discover` (2026-07-28), and a gated
 * Mainnet write confirmed through each of the three paths: token + confirm_action
 * (a 2025 client without elicitation), elicitation (a 2025 client that declares it:
 * the server sends elicitation/create and we answer), and an input_required round
 * (a 2026-07-28 client: the retry echoes the sealed requestState). Every stdout line
 * is JSON-RPC.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { CATALOG } from '../src/catalog/index.js';
import { NON_ENDPOINT_TOOLS } from './helpers/tools.js';
import { toolsMd } from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startStandIn, type StandIn } from './helpers/standin.js';

const BIN = fileURLToPath(new URL('../binance-margin-mcp.js', import.meta.url));
const MODERN = '2026-07-28';
const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '60000' };
const envelope = (caps: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'e2e-raw-2026', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': caps,
});

const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

interface Raw {
  send(m: Record<string, unknown>): void;
  /** The first message satisfying `match` (by id when a number). */
  next(match: number | ((m: Record<string, any>) => boolean), timeoutMs?: number): Promise<Record<string, any>>;
  lines: string[];
  stderr(): string;
  end(): Promise<number | null>;
}

async function startBundle(): Promise<{ raw: Raw; standIn: StandIn }> {
  const standIn = await startStandIn(CATALOG.map((e) => ({ method: e.method, path: e.path, security: e.security })));
  cleanup.push(() => standIn.close());
  const apiKey = randomApiKey();
  const secret = randomSecret();
  standIn.wire.addKey({ apiKey, accountId: 'main', hmacSecret: secret });
  const dir = mkdtempSync(join(tmpdir(), 'bmm-e2e-proto-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'TOOLS.md'),
    toolsMd([{ name: 'main', fields: { 'API Key': apiKey, Secret: secret, Environment: 'Mainnet' } }]),
    { mode: 0o600 },
  );
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [BIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      BINANCE_STATE_DIR: join(dir, 'state'),
      BINANCE_MAINNET_BASE_URL: standIn.url,
      LOG_LEVEL: 'info',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  cleanup.push(() => child.exitCode === null && child.kill());
  const lines: string[] = [];
  let rest = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const raw: Raw = {
    lines,
    stderr: () => stderr,
    send: (m) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`),
    next: (match, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const test =
          typeof match === 'number'
            ? (m: Record<string, any>) => m.id === match && ('result' in m || 'error' in m)
            : match;
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for a message; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
        }, timeoutMs);
        function check() {
          for (let i = 0; i < lines.length; i++) {
            const m = JSON.parse(lines[i]) as Record<string, any>;
            if (test(m)) {
              clearTimeout(timer);
              waiters.delete(check);
              resolve(m);
              return;
            }
          }
        }
        waiters.add(check);
        check();
      }),
    end: async () => {
      child.stdin.end();
      return exit;
    },
  };
  return { raw, standIn };
}

const writes = (s: StandIn) => s.wire.requests.filter((r) => r.method !== 'GET');

function assertOnlyJsonRpc(lines: string[]) {
  assert.ok(lines.length > 0);
  for (const line of lines) {
    const m = JSON.parse(line) as Record<string, unknown>;
    assert.equal(m.jsonrpc, '2.0', line.slice(0, 200));
  }
}

async function initialize2025(raw: Raw, capabilities: Record<string, unknown>, protocolVersion = '2025-11-25') {
  raw.send({
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities, clientInfo: { name: 'e2e-raw-2025', version: '1.0.0' } },
  });
  const init = await raw.next(1);
  assert.equal(init.result.protocolVersion, protocolVersion);
  assert.equal(init.result.serverInfo.name, 'binance-margin-mcp');
  raw.send({ method: 'notifications/initialized' });
}

describe('raw JSON-RPC against the built server', () => {
  test('server/discover answers the 2026-07-28 revision, and the tools are served with the per-request envelope', {
    timeout: 30_000,
  }, async () => {
    const { raw } = await startBundle();
    raw.send({ id: 1, method: 'server/discover', params: { _meta: envelope() } });
    const d = (await raw.next(1)).result;
    assert.ok(d.supportedVersions.includes(MODERN), JSON.stringify(d));
    assert.ok(d.capabilities.tools, 'tools capability');
    assert.match(d.instructions, /confirm_action/);
    raw.send({ id: 2, method: 'tools/list', params: { _meta: envelope() } });
    const list = (await raw.next(2)).result;
    assert.equal(list.tools.length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
    raw.send({
      id: 3,
      method: 'tools/call',
      params: { name: 'get_price_index', arguments: { symbol: 42 }, _meta: envelope() },
    });
    const bad = (await raw.next(3)).result;
    assert.equal(bad.isError, true);
    assert.deepEqual(bad.structuredContent.error.path, 'symbol');
    assert.equal(bad.structuredContent.error.kind, 'validation');
    assert.equal(await raw.end(), 0);
    assertOnlyJsonRpc(raw.lines);
  });

  test('token path: a 2025-06-18 client without elicitation gets a token; confirm_action executes it once', {
    timeout: 30_000,
  }, async () => {
    const { raw, standIn } = await startBundle();
    await initialize2025(raw, {}, '2025-06-18');
    raw.send({ id: 9, method: 'tools/list', params: {} });
    assert.equal((await raw.next(9)).result.tools.length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
    raw.send({ id: 2, method: 'tools/call', params: { name: 'place_order', arguments: ORDER } });
    const pending = (await raw.next(2)).result.structuredContent;
    assert.equal(pending.status, 'confirmation_required');
    assert.equal(writes(standIn).length, 0);
    raw.send({
      id: 3,
      method: 'tools/call',
      params: { name: 'confirm_action', arguments: { token: pending.token, confirmation: 'CONFIRM' } },
    });
    const done = (await raw.next(3)).result;
    assert.notEqual(done.isError, true, JSON.stringify(done));
    assert.equal(done.structuredContent.endpoint, 'POST /sapi/v1/margin/order');
    assert.equal(writes(standIn).length, 1);
    assert.equal(await raw.end(), 0);
    assertOnlyJsonRpc(raw.lines);
  });

  test('elicitation path: a 2025 client that declares it is sent elicitation/create; CONFIRM executes', {
    timeout: 30_000,
  }, async () => {
    const { raw, standIn } = await startBundle();
    await initialize2025(raw, { elicitation: {} });
    raw.send({ id: 2, method: 'tools/call', params: { name: 'place_order', arguments: ORDER } });
    const ask = await raw.next((m) => m.method === 'elicitation/create');
    assert.match(ask.params.message, /^BUY 0\.01 BTCUSDT LIMIT at 60000 GTC, on main \(Mainnet\)/);
    assert.equal(writes(standIn).length, 0, 'nothing is sent before the user answers');
    raw.send({ id: ask.id, result: { action: 'accept', content: { confirmation: 'CONFIRM' } } });
    const done = (await raw.next(2)).result;
    assert.notEqual(done.isError, true, JSON.stringify(done));
    assert.equal(done.structuredContent.status, undefined);
    assert.equal(writes(standIn).length, 1);
    assert.equal(await raw.end(), 0);
    assertOnlyJsonRpc(raw.lines);
  });

  test('input_required path: a 2026-07-28 client retries with the sealed requestState; CONFIRM executes once, a ' +
    'replay nothing', {
    timeout: 30_000,
  }, async () => {
    const { raw, standIn } = await startBundle();
    raw.send({ id: 1, method: 'server/discover', params: { _meta: envelope({ elicitation: {} }) } });
    await raw.next(1);
    raw.send({
      id: 2,
      method: 'tools/call',
      params: { name: 'place_order', arguments: ORDER, _meta: envelope({ elicitation: {} }) },
    });
    const first = (await raw.next(2)).result;
    assert.equal(first.resultType, 'input_required');
    const ask = first.inputRequests.confirm;
    assert.equal(ask.method, 'elicitation/create');
    assert.match(ask.params.message, /^BUY 0\.01 BTCUSDT LIMIT at 60000 GTC, on main \(Mainnet\)/);
    assert.equal(typeof first.requestState, 'string');
    assert.ok(
      !raw.lines.some((l) => JSON.parse(l).method === 'elicitation/create'),
      'no server-to-client request on 2026-07-28',
    );
    assert.equal(writes(standIn).length, 0);

    const retry = {
      name: 'place_order',
      arguments: ORDER,
      inputResponses: { confirm: { action: 'accept', content: { confirmation: 'CONFIRM' } } },
      requestState: first.requestState,
      _meta: envelope({ elicitation: {} }),
    };
    raw.send({ id: 3, method: 'tools/call', params: retry });
    const done = (await raw.next(3)).result;
    assert.notEqual(done.isError, true, JSON.stringify(done));
    assert.equal(done.structuredContent.endpoint, 'POST /sapi/v1/margin/order');
    assert.equal(writes(standIn).length, 1);

    raw.send({ id: 4, method: 'tools/call', params: retry });
    const replay = (await raw.next(4)).result;
    assert.equal(replay.isError, true);
    assert.equal(replay.structuredContent.error.kind, 'confirmation');
    assert.equal(writes(standIn).length, 1, 'a replayed state executes nothing');
    assert.equal(await raw.end(), 0);
    assertOnlyJsonRpc(raw.lines);
  });
});
