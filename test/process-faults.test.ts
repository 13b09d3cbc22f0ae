/**
 * The rails across processes and faults, against the built server started as separate
 * processes: two servers on one state directory share the daily cap; SIGTERM during a
 * write leaves an `unknown` outcome in the journal; a client that closes stdout, or
 * sends a line over the read limit, never crashes the server.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { toolsMd } from './helpers/mcp.js';
import { BIN, initialize, scratch, serverEnv, start, withTimeout, type Proc } from './helpers/process.js';
import { startMainnet, type StandIn } from './helpers/standin.js';

const KEY = randomApiKey();
const SECRET = randomSecret();

const standIns: StandIn[] = [];
after(async () => {
  for (const s of standIns) await s.close();
});

/** A loopback "Mainnet" that knows our key and prices BTCUSDT at 60,000, closed when the file ends. */
async function mainnet(): Promise<StandIn> {
  const standIn = await startMainnet(KEY, SECRET);
  standIns.push(standIn);
  return standIn;
}

function mainnetServer(dir: string, standIn: StandIn, limits: Record<string, string> = {}): Proc {
  const toolsPath = join(dir, 'TOOLS.md');
  if (!existsSync(toolsPath))
    writeFileSync(
      toolsPath,
      toolsMd([{ name: 'main', fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Mainnet', ...limits } }]),
      { mode: 0o600 },
    );
  return start([BIN, '--tools-md', toolsPath, '--confirm-via', 'token'], {
    cwd: dir,
    env: serverEnv(dir, { BINANCE_MAINNET_BASE_URL: standIn.url }),
  });
}

/** Resolves once the stand-in has received a request to `method path` (within 10 s). */
const untilSent = (standIn: StandIn, method: string, path: string) =>
  withTimeout(
    (async () => {
      while (!standIn.wire.requestsTo(method, path).length) await new Promise((r) => setTimeout(r, 20));
    })(),
    10_000,
    `${method} ${path} reaching the stand-in`,
  );

let nextId = 100;
async function call(p: Proc, name: string, args: Record<string, unknown>): Promise<Record<string, any>> {
  const id = nextId++;
  p.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
  return (await p.response(id, 30_000)).result;
}

const journal = (dir: string) => {
  const jdir = join(dir, 'state', 'journal');
  return readdirSync(jdir).flatMap((f) =>
    readFileSync(join(jdir, f), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  );
};

const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }; // 600 USDT

describe('two server processes on one state directory', () => {
  test(
    'share Max Daily Value: of two 600 USDT orders confirmed at once against 1,000, exactly one ' + 'is sent',
    async () => {
      const standIn = await mainnet();
      const dir = scratch();
      const a = mainnetServer(dir, standIn, { 'Max Daily Value': '1000' });
      const b = mainnetServer(dir, standIn, { 'Max Daily Value': '1000' });
      await Promise.all([initialize(a), initialize(b)]);
      const [ta, tb] = await Promise.all([call(a, 'place_order', ORDER), call(b, 'place_order', ORDER)]);
      assert.equal(ta.structuredContent.status, 'confirmation_required', JSON.stringify(ta));
      const results = await Promise.all([
        call(a, 'confirm_action', { token: ta.structuredContent.token, confirmation: 'CONFIRM' }),
        call(b, 'confirm_action', { token: tb.structuredContent.token, confirmation: 'CONFIRM' }),
      ]);
      const refused = results.filter((r) => r.isError);
      assert.equal(refused.length, 1, JSON.stringify(results));
      assert.match(refused[0].structuredContent.error.message, /Max Daily Value is 1,000 USDT; 600 USDT were used/);
      assert.equal(standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 1);
      a.child.stdin.end();
      b.child.stdin.end();
      assert.deepEqual(await withTimeout(a.exit, 10_000, 'exit'), { code: 0, signal: null });
    },
  );
});

describe('a write in flight when the server is stopped', () => {
  test(
    'SIGTERM lets it finish or journals it as unknown before exit 0, and the daily cap still ' + 'counts it',
    async () => {
      const standIn = await mainnet();
      standIn.wire.inject({
        fault: { kind: 'hang' },
        match: (r) => r.method === 'POST' && r.path === '/sapi/v1/margin/order',
      });
      const dir = scratch();
      const p = mainnetServer(dir, standIn, { 'Max Daily Value': '1000' });
      await initialize(p);
      const pending = await call(p, 'place_order', ORDER);
      const id = nextId++;
      p.send({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: {
          name: 'confirm_action',
          arguments: { token: pending.structuredContent.token, confirmation: 'CONFIRM' },
        },
      });
      await untilSent(standIn, 'POST', '/sapi/v1/margin/order');
      p.child.kill('SIGTERM');
      assert.deepEqual(await withTimeout(p.exit, 15_000, 'exit after SIGTERM'), { code: 0, signal: null });
      const lines = journal(dir).filter((l) => l.tool === 'place_order');
      const phases = lines.map((l) => l.phase);
      assert.deepEqual(phases, ['pending', 'intent', 'unknown'], JSON.stringify(lines));
      assert.match(lines[2].reason, /shut down before Binance answered/);
      assert.match(p.stderr(), /shutting down.*SIGTERM|SIGTERM.*shutting down/);
      // After a restart the unknown write still counts: 600 + 600 > 1,000.
      standIn.wire.clearFaults();
      const again = mainnetServer(dir, standIn, { 'Max Daily Value': '1000' });
      await initialize(again);
      const r = await call(again, 'place_order', ORDER);
      assert.equal(r.isError, true, JSON.stringify(r));
      assert.match(r.structuredContent.error.message, /600 USDT were used in the last 24 h/);
      again.child.stdin.end();
    },
  );
});

describe('a write an earlier run left without an outcome', () => {
  test('is looked up by its client id once the server has started, and never re-sent', async () => {
    const standIn = await mainnet();
    const dir = scratch();
    const month = new Date().toISOString().slice(0, 7);
    mkdirSync(join(dir, 'state', 'journal'), { recursive: true });
    const intent = {
      time: new Date(Date.now() - 120_000).toISOString(),
      id: 'crashed-1',
      phase: 'intent',
      account: 'main',
      environment: 'mainnet',
      endpoint: 'POST /sapi/v1/margin/order',
      tool: 'place_order',
      params: { ...ORDER, newClientOrderId: 'agent-crashed00000000001' },
      clientOrderId: 'agent-crashed00000000001',
      valueUsdt: 600,
    };
    writeFileSync(join(dir, 'state', 'journal', `${month}.jsonl`), `${JSON.stringify(intent)}\n`, { mode: 0o600 });
    const p = mainnetServer(dir, standIn);
    await initialize(p);
    await p.waitForStderr(/writes of an earlier run without an outcome were looked up/, 20_000);
    const lookups = standIn.wire.requestsTo('GET', '/sapi/v1/margin/order');
    assert.equal(lookups.length, 1);
    assert.equal(lookups[0].params.origClientOrderId, 'agent-crashed00000000001');
    assert.equal(standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 0, 'never re-sent');
    p.child.stdin.end();
    assert.equal((await withTimeout(p.exit, 15_000, 'exit')).code, 0, p.stderr());
  });
});

describe('a call the client cancels (notifications/cancelled)', () => {
  // The bundle makes the SDK's per-request AbortController lazy (scripts/build.mjs, issue 23):
  // a cancellation must still keep the call's late answer off the wire.
  test('its late answer is never sent, and the server goes on answering', async () => {
    const standIn = await mainnet();
    standIn.wire.inject({
      fault: { kind: 'hang' },
      match: (r) => r.method === 'GET' && r.path === '/sapi/v1/margin/account',
    });
    const dir = scratch();
    const p = mainnetServer(dir, standIn);
    await initialize(p);
    const id = nextId++;
    p.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_cross_margin_account', arguments: {} } });
    await untilSent(standIn, 'GET', '/sapi/v1/margin/account');
    p.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'moved on' } });
    const listed = await call(p, 'list_accounts', {});
    assert.equal(listed.structuredContent.accounts[0].name, 'main');
    // Binance goes away: the cancelled call now ends (with an error result) and must not be answered.
    await standIn.close();
    await p.waitForStderr(/"tool":"get_cross_margin_account".*tool call failed/, 30_000);
    const status = await call(p, 'server_status', {});
    assert.ok(status.structuredContent, JSON.stringify(status));
    const answered = p.stdoutLines.map((l) => JSON.parse(l) as { id?: number }).filter((m) => m.id === id);
    assert.deepEqual(answered, [], 'a cancelled call was answered');
    p.child.stdin.end();
    assert.equal((await withTimeout(p.exit, 15_000, 'exit')).code, 0, p.stderr());
  });
});

describe('a client that goes away', () => {
  test(
    'closing its end of stdout while answers are pending: a clean exit 0 with one log line, no ' + 'stack trace',
    async () => {
      const dir = scratch();
      const p = start([BIN, '--sandbox'], { cwd: dir, env: serverEnv(dir) });
      await initialize(p);
      p.child.stdout.destroy();
      for (let i = 0; i < 50; i++) p.send({ jsonrpc: '2.0', id: 1000 + i, method: 'tools/list', params: {} });
      const { code } = await withTimeout(p.exit, 15_000, 'exit after stdout closed');
      assert.equal(code, 0, p.stderr());
      assert.match(p.stderr(), /stdout closed by the client/);
      assert.doesNotMatch(p.stderr(), /Error: write EPIPE\n\s+at /);
    },
  );

  test('lines the JSON-RPC message schema refuses are still refused, logged, and never run', async () => {
    const dir = scratch();
    const p = start([BIN, '--sandbox'], { cwd: dir, env: serverEnv(dir) });
    await initialize(p);
    const call = { method: 'tools/call', params: { name: 'get_bnb_burn_status', arguments: {} } };
    for (const bad of [
      { jsonrpc: '1.0', id: 11, ...call },
      { jsonrpc: '2.0', id: 12, ...call, extra: true },
      { jsonrpc: '2.0', id: 13.5, ...call },
      { jsonrpc: '2.0', id: 14, ...call, params: null },
    ])
      p.send(bad);
    p.send({ jsonrpc: '2.0', id: 15, ...call });
    assert.ok(!(await p.response(15)).result.isError, 'a plain request after them is served');
    await p.waitForStderr(/could not be read(.|\n)*could not be read(.|\n)*could not be read(.|\n)*could not be read/);
    assert.deepEqual(
      p.stdoutLines.map((l) => JSON.parse(l).id).filter((id) => id !== 1),
      [15],
      'no answer to a refused line',
    );
    p.child.stdin.end();
    assert.equal((await withTimeout(p.exit, 10_000, 'exit')).code, 0);
  });

  test('reads each line once, whether it comes in pieces, with others, after a blank line or ends in CRLF', async () => {
    const dir = scratch();
    const p = start([BIN, '--sandbox'], { cwd: dir, env: serverEnv(dir) });
    await initialize(p);
    const line = (id: number) =>
      JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_accounts', arguments: {} } });
    const pause = () => new Promise((r) => setTimeout(r, 30));
    // One line in three writes (three chunks on the server's side).
    const first = `${line(21)}\n`;
    for (const piece of [first.slice(0, 10), first.slice(10, 40), first.slice(40)]) {
      p.child.stdin.write(piece);
      await pause();
    }
    // Two lines and the start of a third in one write, its end in the next.
    const third = `${line(24)}\r\n`;
    p.child.stdin.write(`${line(22)}\n${line(23)}\n${third.slice(0, 25)}`);
    await pause();
    p.child.stdin.write(`${third.slice(25)}\n${line(25)}\n`);
    for (const id of [21, 22, 23, 24, 25]) assert.ok((await p.response(id)).result, `answer to ${id}`);
    p.child.stdin.end();
    assert.equal((await withTimeout(p.exit, 10_000, 'exit')).code, 0);
    const ids = p.stdoutLines.map((l) => JSON.parse(l).id).filter((id) => id !== 1);
    assert.deepEqual(ids.sort(), [21, 22, 23, 24, 25], 'each line answered once');
  });

  test('a line over the read limit is logged and the server stops cleanly', async () => {
    const dir = scratch();
    const p = start([BIN, '--sandbox'], { cwd: dir, env: serverEnv(dir) });
    await initialize(p);
    p.child.stdin.on('error', () => undefined); // the server stops while we still write
    const chunk = 'a'.repeat(1024 * 1024);
    for (let i = 0; i < 11; i++) p.child.stdin.write(chunk);
    const { code } = await withTimeout(p.exit, 15_000, 'exit after an oversized line');
    assert.equal(code, 0, p.stderr());
    assert.match(p.stderr(), /could not be read/);
  });
});
