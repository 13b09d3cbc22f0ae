/**
 * The opening cache (src/opening/): the built server, started twice on one state
 * directory, answers the second start's opening (initialize, the tool list) from what
 * the first start answered, before its code is loaded; the server then answers the
 * same messages again, and only what was not answered yet reaches the client. A cache
 * that is stale is corrected, one that is not this user's alone is not used, and
 * nothing but the listing methods is ever answered from it.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { canonical, openingCacheFile } from '../src/opening/opening-cache.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { toolsMd } from './helpers/mcp.js';
import { BIN, initialize, type Proc, scratch, serverEnv, start } from './helpers/process.js';

const REPLAYED = /answered from the opening cache/;

async function opening(p: Proc) {
  const init = await initialize(p);
  p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  return { init, list: await p.response(2) };
}

async function stop(p: Proc) {
  p.child.stdin.end();
  assert.equal((await p.exit).code, 0, p.stderr());
}

function cacheFiles(dir: string): string[] {
  const d = join(dir, 'state', 'opening');
  return existsSync(d) ? readdirSync(d).map((n) => join(d, n)) : [];
}

/** Every message on stdout, by id: each request must be answered exactly once. */
function answersById(p: Proc): Map<unknown, number> {
  const n = new Map<unknown, number>();
  for (const l of p.stdoutLines) {
    const m = JSON.parse(l) as Record<string, unknown>;
    if ('id' in m) n.set(m.id, (n.get(m.id) ?? 0) + 1);
  }
  return n;
}

/** A first start that fills the cache; returns its answers. */
async function firstStart(dir: string, env: Record<string, string>, args: string[] = []) {
  const p = start([BIN, ...args], { cwd: dir, env });
  const answers = await opening(p);
  await stop(p);
  assert.doesNotMatch(p.stderr(), REPLAYED);
  return answers;
}

describe('opening cache', () => {
  test('a second start answers initialize and tools/list as the first did, then serves calls, each once', async () => {
    const dir = scratch();
    const env = serverEnv(dir);
    const first = await firstStart(dir, env);
    const [file] = cacheFiles(dir);
    assert.ok(file, 'the first start wrote the cache');
    if (process.platform !== 'win32') assert.equal(readdirSync(join(dir, 'state', 'opening')).length, 1);

    const p = start([BIN], { cwd: dir, env });
    const second = await opening(p);
    assert.deepEqual(second.init.result, first.init.result);
    assert.deepEqual(second.list.result, first.list.result);
    await p.waitForStderr(REPLAYED);
    p.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_accounts', arguments: {} } });
    const call = await p.response(3);
    assert.equal(call.result.isError, undefined, JSON.stringify(call));
    // The server answered ids 1 and 2 again; those answers matched and were dropped.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      [...answersById(p)],
      [
        [1, 1],
        [2, 1],
        [3, 1],
      ],
    );
    assert.doesNotMatch(p.stderr(), /differs/);
    await stop(p);
  });

  test('a stale cache: the client gets the kept list, is told it changed, and the cache is rewritten', async () => {
    const dir = scratch();
    const env = serverEnv(dir);
    const first = await firstStart(dir, env);
    const [file] = cacheFiles(dir);
    const data = JSON.parse(readFileSync(file, 'utf8'));
    const listed = data.exchanges.find((x: any) => x.message.method === 'tools/list');
    const dropped = listed.answer.result.tools.pop().name as string;
    writeFileSync(file, JSON.stringify(data), { mode: 0o600 });

    const p = start([BIN], { cwd: dir, env });
    const second = await opening(p);
    assert.equal(second.list.result.tools.length, first.list.result.tools.length - 1, 'the kept (stale) list');
    const deadline = Date.now() + 15_000;
    while (!p.stdoutLines.some((l) => l.includes('notifications/tools/list_changed')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(
      p.stdoutLines.some((l) => JSON.parse(l).method === 'notifications/tools/list_changed'),
      'the client is told the tool list changed',
    );
    assert.match(p.stderr(), /differs from the server/);
    p.send({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    const again = await p.response(4);
    assert.deepEqual(again.result, first.list.result);
    const rewritten = JSON.parse(readFileSync(file, 'utf8'));
    const names = rewritten.exchanges
      .find((x: any) => x.message.method === 'tools/list')
      .answer.result.tools.map((t: any) => t.name);
    assert.ok(names.includes(dropped), 'the rewritten cache has the full list');
    await stop(p);
  });

  test('nothing but the listing methods is answered from it: a kept tool call makes the file unusable', async () => {
    const dir = scratch();
    const env = serverEnv(dir);
    await firstStart(dir, env);
    const [file] = cacheFiles(dir);
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.exchanges.push({
      message: { jsonrpc: '2.0', method: 'tools/call', params: { name: 'list_accounts', arguments: {} } },
      answer: { jsonrpc: '2.0', result: { content: [{ type: 'text', text: 'FORGED' }] } },
    });
    writeFileSync(file, JSON.stringify(data), { mode: 0o600 });

    const p = start([BIN], { cwd: dir, env });
    await opening(p);
    p.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_accounts', arguments: {} } });
    const call = await p.response(3);
    assert.doesNotMatch(JSON.stringify(call), /FORGED/);
    assert.doesNotMatch(p.stderr(), REPLAYED);
    await stop(p);
  });

  test('a file others can write is not used; another client opening is answered by the server and kept', {
    skip: process.platform === 'win32' && 'file modes',
  }, async () => {
    const dir = scratch();
    const env = serverEnv(dir);
    const first = await firstStart(dir, env);
    const [file] = cacheFiles(dir);
    chmodSync(file, 0o666);
    const p = start([BIN], { cwd: dir, env });
    const second = await opening(p);
    assert.deepEqual(second.list.result, first.list.result);
    await p.waitForStderr(/"msg":"started/);
    assert.doesNotMatch(p.stderr(), REPLAYED);
    await stop(p);

    // A different client: its initialize is not the kept one, so the server answers; the cache follows it.
    chmodSync(file, 0o600);
    const q = start([BIN], { cwd: dir, env });
    q.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'other-client', version: '2' } },
    });
    const init = await q.response(1);
    assert.equal(init.result.protocolVersion, '2025-06-18');
    await q.waitForStderr(REPLAYED);
    assert.match(q.stderr(), /"answered":0/);
    await stop(q);
    assert.match(readFileSync(file, 'utf8'), /other-client/);
  });

  test('other flags are another cache: --read-only after a full start lists the read-only tools', async () => {
    const dir = scratch();
    const env = serverEnv(dir);
    const full = await firstStart(dir, env);
    const p = start([BIN, '--read-only'], { cwd: dir, env });
    const ro = await opening(p);
    assert.ok(ro.list.result.tools.length < full.list.result.tools.length);
    assert.doesNotMatch(p.stderr(), REPLAYED);
    await stop(p);
    assert.equal(cacheFiles(dir).length, 2);
  });

  test('stdin that ends right after the opening (a file) is answered in full, each request once', async () => {
    const dir = scratch();
    const env = serverEnv(dir);
    const first = await firstStart(dir, env);
    const p = start([BIN], { cwd: dir, env });
    const init = JSON.parse(readFileSync(cacheFiles(dir)[0], 'utf8')).exchanges[0].message;
    p.child.stdin.end(
      [
        { ...init, id: 1 },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      ]
        .map((m) => `${JSON.stringify(m)}\n`)
        .join(''),
    );
    assert.equal((await p.exit).code, 0, p.stderr());
    assert.deepEqual(
      [...answersById(p)],
      [
        [1, 1],
        [2, 1],
      ],
    );
    assert.deepEqual(JSON.parse(p.stdoutLines[1]).result, first.list.result);
    assert.match(p.stderr(), REPLAYED);
  });

  test('a 2026-07-28 opening (server/discover, tools/list) is answered from the cache too', async () => {
    const dir = scratch();
    const env = serverEnv(dir);
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'opening-2026', version: '1.0.0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const run = async () => {
      const p = start([BIN], { cwd: dir, env });
      p.send({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } });
      const discover = await p.response(1);
      p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: meta } });
      const list = await p.response(2);
      p.send({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'list_accounts', arguments: {}, _meta: meta },
      });
      const call = await p.response(3);
      await new Promise((r) => setTimeout(r, 200));
      await stop(p);
      return { p, discover, list, call };
    };
    const a = await run();
    const b = await run();
    assert.doesNotMatch(a.p.stderr(), REPLAYED);
    assert.match(b.p.stderr(), /"answered":2/);
    assert.deepEqual(b.discover.result, a.discover.result);
    assert.deepEqual(b.list.result, a.list.result);
    assert.deepEqual(b.call.result, a.call.result);
    assert.deepEqual(
      [...answersById(b.p)],
      [
        [1, 1],
        [2, 1],
        [3, 1],
      ],
    );
  });

  test('BINANCE_OPENING_CACHE=0 keeps and replays nothing; the file holds no key or secret', async () => {
    const off = scratch();
    await firstStart(off, serverEnv(off, { BINANCE_OPENING_CACHE: '0' }));
    assert.deepEqual(cacheFiles(off), []);

    const dir = scratch();
    const apiKey = randomApiKey();
    const secret = randomSecret();
    writeFileSync(
      join(dir, 'TOOLS.md'),
      toolsMd([{ name: 'main', fields: { 'API Key': apiKey, Secret: secret, Environment: 'Testnet' } }]),
      { mode: 0o600 },
    );
    const envSecret = randomSecret();
    await firstStart(dir, serverEnv(dir, { BINANCE_API_SECRET: envSecret, BINANCE_API_KEY: randomApiKey() }));
    const [file] = cacheFiles(dir);
    const text = readFileSync(file, 'utf8');
    for (const s of [apiKey, secret, envSecret, join(dir, 'TOOLS.md')]) assert.ok(!text.includes(s));
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('the key: a secret setting enters it only as set; any other setting, flag or build changes it', () => {
    const base = { BINANCE_API_SECRET: 'a', BINANCE_TOOLSETS: 'core', PATH: '/x' };
    const k = (env: Record<string, string>, argv: string[] = [], build = 'b1') =>
      openingCacheFile(build, argv, env).key;
    assert.equal(k(base), k({ ...base, BINANCE_API_SECRET: 'b' }));
    assert.equal(k(base), k({ ...base, PATH: '/y' }));
    assert.notEqual(k(base), k({ ...base, BINANCE_TOOLSETS: 'all' }));
    assert.notEqual(k(base), k(base, ['--read-only']));
    assert.notEqual(k(base), k(base, [], 'b2'));
    const { BINANCE_API_SECRET: _s, ...unset } = base;
    assert.notEqual(k(base), k(unset));
    assert.equal(canonical({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 3 } }), '{"a":{"c":3,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});
