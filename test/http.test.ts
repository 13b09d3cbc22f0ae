/**
 * One server for many clients (issue 19): the built server started with --http, as a
 * separate process, driven by the SDK's Streamable HTTP clients and by raw requests.
 * Authentication on every request, Host and Origin checks, the limits, the principal
 * each pending action and session is bound to, the rails shared by every client, a
 * client that drops mid-write, and how the process starts and stops.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpTransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CATALOG } from '../src/catalog/index.js';
import { NON_ENDPOINT_TOOLS } from './helpers/tools.js';
import { parseConfig, UsageError } from '../src/config.js';
import { startHttpServer } from '../src/http/server.js';
import { createLogger } from '../src/log.js';
import { SealedState } from '../src/pipeline/sealed-state.js';
import { createServer } from '../src/server.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { toolsMd } from './helpers/mcp.js';
import { BIN, scratch, serverEnv, start, withTimeout, type Proc } from './helpers/process.js';
import { startMainnet, type StandIn } from './helpers/standin.js';

const KEY = randomApiKey();
const SECRET = randomSecret();
const ALICE = `alice-${'a'.repeat(40)}`;
const BOB = `bob-${'b'.repeat(40)}`;
const TOKENS = `alice:${ALICE},bob:${BOB}`;
const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' }; // 600 USDT at 60,000

const standIns: StandIn[] = [];
const clients: { close(): Promise<void> }[] = [];
after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const s of standIns) await s.close();
});

/** A loopback "Mainnet" that knows our key and prices BTCUSDT at 60,000, closed when the file ends. */
async function mainnet(): Promise<StandIn> {
  const standIn = await startMainnet(KEY, SECRET);
  standIns.push(standIn);
  return standIn;
}

interface HttpProc extends Proc {
  url: string;
  dir: string;
}

/** Starts the bin with --http on an ephemeral loopback port; resolves once it listens. */
async function serve(
  opts: {
    args?: string[];
    env?: Record<string, string>;
    standIn?: StandIn;
    limits?: Record<string, string>;
    dir?: string;
  } = {},
): Promise<HttpProc> {
  const dir = opts.dir ?? scratch();
  const args = ['--http', '127.0.0.1:0', ...(opts.args ?? [])];
  if (opts.standIn) {
    const toolsPath = join(dir, 'TOOLS.md');
    if (!existsSync(toolsPath))
      writeFileSync(
        toolsPath,
        toolsMd([{ name: 'main', fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Mainnet', ...opts.limits } }]),
        { mode: 0o600 },
      );
    args.push('--tools-md', toolsPath);
  } else args.push('--sandbox');
  const p = start([BIN, ...args], {
    cwd: dir,
    env: serverEnv(dir, { ...(opts.standIn ? { BINANCE_MAINNET_BASE_URL: opts.standIn.url } : {}), ...opts.env }),
  });
  await p.waitForStderr(/serving MCP over HTTP at http:\/\/[^;\s]+/);
  const url = /serving MCP over HTTP at (http:\/\/[^;\s]+)/.exec(p.stderr())![1];
  return Object.assign(p, { url, dir });
}

const tokenFile = (dir: string) => readFileSync(join(dir, 'state', 'http-token'), 'utf8').trim();
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function clientV2(url: string, token: string, era: 'legacy' | 'modern') {
  const client = new ClientV2(
    { name: `http-test-${era}`, version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {},
  );
  await client.connect(new HttpTransportV2(new URL(url), { requestInit: { headers: auth(token) } }));
  clients.push(client);
  return client;
}

async function clientV1(url: string, token: string) {
  const client = new ClientV1({ name: 'http-test-v1', version: '1.0.0' });
  await client.connect(new HttpTransportV1(new URL(url), { requestInit: { headers: auth(token) } }));
  clients.push(client);
  return client;
}

type Result = { isError?: boolean; structuredContent?: Record<string, any> };
const call = (
  c: { callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown> },
  name: string,
  args: Record<string, unknown> = {},
) => c.callTool({ name, arguments: args }) as Promise<Result>;

/** A raw HTTP request (no client library), to see exactly what the server answers. */
function raw(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: opts.method ?? 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...opts.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** The JSON-RPC message of a response that may be an SSE stream. */
const message = (body: string) =>
  JSON.parse(
    body.startsWith('{')
      ? body
      : body
          .split('\n')
          .find((l) => l.startsWith('data: '))!
          .slice(6),
  );

const journal = (dir: string) => {
  const jdir = join(dir, 'state', 'journal');
  return existsSync(jdir)
    ? readdirSync(jdir).flatMap((f) =>
        readFileSync(join(jdir, f), 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      )
    : [];
};

async function until(probe: () => boolean | Promise<boolean>, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the SDK Streamable HTTP clients', () => {
  test('2026-07-28, 2025 (v2) and v1 clients list every tool and call one, with the generated token', async () => {
    const p = await serve();
    const token = tokenFile(p.dir);
    for (const kind of ['modern', 'legacy', 'v1'] as const) {
      const client = kind === 'v1' ? await clientV1(p.url, token) : await clientV2(p.url, token, kind);
      const { tools } = await client.listTools();
      assert.equal(tools.length, CATALOG.length + NON_ENDPOINT_TOOLS.length, kind);
      const r = await call(client, 'get_price_index', { symbol: 'BTCUSDT' });
      assert.notEqual(r.isError, true, JSON.stringify(r));
      assert.equal(r.structuredContent!.environment, 'sandbox');
      if (kind !== 'v1')
        assert.equal(
          (client as ClientV2).getNegotiatedProtocolVersion(),
          kind === 'modern' ? '2026-07-28' : '2025-11-25',
        );
      await client.close();
    }
    p.child.kill('SIGTERM');
    assert.deepEqual(await withTimeout(p.exit, 10_000, 'exit'), { code: 0, signal: null });
  });
});

describe('authentication', () => {
  test(
    'no token, a wrong token or another scheme: 401 with WWW-Authenticate and nothing else; no token in any log ' +
      'line',
    async () => {
      const p = await serve({ env: { LOG_LEVEL: 'debug' } });
      const token = tokenFile(p.dir);
      for (const headers of [
        {},
        auth(`${token.slice(0, -1)}x`),
        auth('short'),
        { authorization: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` },
      ]) {
        const r = await raw(p.url, { headers, body: INITIALIZE });
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.match(String(r.headers['www-authenticate']), /^Bearer realm="binance-margin-mcp"/);
        assert.equal(r.headers['mcp-session-id'], undefined);
        assert.doesNotMatch(r.body, /jsonrpc|protocolVersion|tools/);
      }
      // Unknown paths too: authentication comes first.
      assert.equal((await raw(p.url.replace('/mcp', '/other'), { method: 'GET' })).status, 401);
      const ok = await raw(p.url, { headers: auth(token), body: INITIALIZE });
      assert.equal(ok.status, 200);
      assert.equal(message(ok.body).result.serverInfo.name, 'binance-margin-mcp');
      assert.equal((await raw(p.url.replace('/mcp', '/other'), { method: 'GET', headers: auth(token) })).status, 404);
      const logs = p.stderr();
      assert.ok(!logs.includes(token), 'the token is never logged');
      assert.doesNotMatch(logs, /"authorization"\s*:/i, 'no Authorization header is logged');
      assert.doesNotMatch(logs, /Bearer [A-Za-z0-9_.~+/-]{20,}/);
      assert.match(
        logs,
        new RegExp(
          `the bearer token is in ${join(p.dir, 'state', 'http-token').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`,
        ),
      );
      p.child.kill('SIGTERM');
      await p.exit;
    },
  );

  test('the generated token file: 0600 in a 0700 state directory, 256 bits, kept across restarts', async () => {
    const p = await serve();
    const file = join(p.dir, 'state', 'http-token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(p.dir, 'state')).mode & 0o777, 0o700);
    const token = tokenFile(p.dir);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.match(p.stderr(), /generated now/);
    p.child.kill('SIGTERM');
    await p.exit;
    const again = await serve({ dir: p.dir });
    assert.equal(tokenFile(p.dir), token);
    assert.match(again.stderr(), /kept from an earlier start/);
    again.child.kill('SIGTERM');
    await again.exit;
  });

  test('with BINANCE_MCP_TOKEN no file is generated and only that token is accepted', async () => {
    const single = 'x'.repeat(48);
    const p = await serve({ env: { BINANCE_MCP_TOKEN: single } });
    assert.equal(existsSync(join(p.dir, 'state', 'http-token')), false);
    assert.equal((await raw(p.url, { headers: auth(single), body: INITIALIZE })).status, 200);
    assert.equal((await raw(p.url, { headers: auth('y'.repeat(48)), body: INITIALIZE })).status, 401);
    p.child.kill('SIGTERM');
    await p.exit;
  });
});

/** A loopback OAuth authorization server: RFC 8414 metadata and a JWKS; signs JWT access tokens. */
async function authorizationServer() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'ES256' };
  let issuer = '';
  const server = createHttpServer((req, res) => {
    const body =
      req.url === '/.well-known/oauth-authorization-server'
        ? {
            issuer,
            jwks_uri: `${issuer}/jwks`,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
          }
        : req.url === '/jwks'
          ? { keys: [jwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (claims: Record<string, unknown>, key = privateKey) => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const data = `${enc({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })}.${enc(claims)}`;
    const signature = cryptoSign('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${data}.${signature}`;
  };
  clients.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
  return { issuer, sign };
}

describe('OAuth resource-server mode', () => {
  test(
    'serves protected-resource metadata naming the issuer, and accepts its JWTs only for this ' + 'audience',
    async () => {
      const as = await authorizationServer();
      const resource = 'http://localhost/mcp';
      const p = await serve({ args: ['--oauth-issuer', as.issuer, '--public-url', resource] });
      assert.equal(existsSync(join(p.dir, 'state', 'http-token')), false, 'no token is generated in OAuth mode');
      const meta = await raw(p.url.replace('/mcp', '/.well-known/oauth-protected-resource/mcp'), { method: 'GET' });
      assert.equal(meta.status, 200);
      assert.deepEqual(JSON.parse(meta.body).authorization_servers, [as.issuer]);
      assert.equal(JSON.parse(meta.body).resource, resource);
      const denied = await raw(p.url, { body: INITIALIZE });
      assert.equal(denied.status, 401);
      assert.match(
        String(denied.headers['www-authenticate']),
        /resource_metadata="http:\/\/localhost\/.well-known\/oauth-protected-resource\/mcp"/,
      );
      const now = Math.floor(Date.now() / 1000);
      const good = as.sign({ iss: as.issuer, aud: resource, sub: 'user-1', exp: now + 300 });
      const client = await clientV2(p.url, good, 'modern');
      assert.equal((await client.listTools()).tools.length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
      const { privateKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      for (const [why, token] of [
        [
          'another audience',
          as.sign({ iss: as.issuer, aud: 'https://other.example/mcp', sub: 'user-1', exp: now + 300 }),
        ],
        ['expired', as.sign({ iss: as.issuer, aud: resource, sub: 'user-1', exp: now - 600 })],
        ['another issuer', as.sign({ iss: 'https://evil.example', aud: resource, sub: 'user-1', exp: now + 300 })],
        ['another key', as.sign({ iss: as.issuer, aud: resource, sub: 'user-1', exp: now + 300 }, otherKey)],
        ['not a JWT', 'q'.repeat(40)],
      ] as const)
        assert.equal((await raw(p.url, { headers: auth(token), body: INITIALIZE })).status, 401, why);
      p.child.kill('SIGTERM');
      await p.exit;
    },
  );
});

/**
 * A 2025 session of ALICE on a server whose price reads hang until its 3 s timeout to
 * Binance: every get_price_index call stays in flight that long.
 */
async function aliceWithHangingReads() {
  const standIn = await mainnet();
  standIn.wire.inject({ fault: { kind: 'hang' }, times: 100, match: (r) => r.path === '/sapi/v1/margin/priceIndex' });
  const p = await serve({ standIn, env: { BINANCE_MCP_TOKENS: TOKENS, BINANCE_TIMEOUT_MS: '3000' } });
  const init = await raw(p.url, { headers: auth(ALICE), body: INITIALIZE });
  const headers = {
    ...auth(ALICE),
    'mcp-session-id': String(init.headers['mcp-session-id']),
    'mcp-protocol-version': '2025-11-25',
  };
  await raw(p.url, { headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  return { standIn, p, headers };
}

describe('DNS rebinding and limits', () => {
  test(
    'a foreign Host or Origin is refused with 403 before authentication; loopback and ' + '--allowed-hosts names pass',
    async () => {
      const p = await serve({ args: ['--allowed-hosts', 'mcp.example.com'] });
      const token = tokenFile(p.dir);
      const port = new URL(p.url).port;
      assert.equal(
        (await raw(p.url, { headers: { ...auth(token), host: `evil.example:${port}` }, body: INITIALIZE })).status,
        403,
      );
      assert.equal((await raw(p.url, { headers: { host: `evil.example:${port}` }, body: INITIALIZE })).status, 403);
      assert.equal(
        (await raw(p.url, { headers: { ...auth(token), origin: 'https://evil.example' }, body: INITIALIZE })).status,
        403,
      );
      assert.equal((await raw(p.url, { headers: { ...auth(token), origin: 'null' }, body: INITIALIZE })).status, 403);
      assert.equal(
        (await raw(p.url, { headers: { ...auth(token), origin: `http://localhost:${port}` }, body: INITIALIZE }))
          .status,
        200,
      );
      assert.equal(
        (
          await raw(p.url, {
            headers: { ...auth(token), host: 'mcp.example.com', origin: 'https://mcp.example.com' },
            body: INITIALIZE,
          })
        ).status,
        200,
      );
      p.child.kill('SIGTERM');
      await p.exit;
    },
  );

  test('CORS: a page on an allowed origin gets its preflight answered without a token and can read the session id; a foreign one gets nothing', async () => {
    const p = await serve();
    const token = tokenFile(p.dir);
    const page = `http://localhost:6274`;
    const preflight = await raw(p.url, {
      method: 'OPTIONS',
      headers: {
        origin: page,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], page);
    assert.match(String(preflight.headers['access-control-allow-methods']), /\bPOST\b/);
    for (const h of ['authorization', 'content-type', 'mcp-session-id', 'mcp-protocol-version'])
      assert.match(String(preflight.headers['access-control-allow-headers']), new RegExp(`\\b${h}\\b`));
    const init = await raw(p.url, { headers: { ...auth(token), origin: page }, body: INITIALIZE });
    assert.equal(init.status, 200);
    assert.equal(init.headers['access-control-allow-origin'], page);
    assert.match(String(init.headers['access-control-expose-headers']), /\bmcp-session-id\b/);
    assert.ok(init.headers['mcp-session-id'], 'a 2025 session was opened');
    const unauthenticated = await raw(p.url, { headers: { origin: page }, body: INITIALIZE });
    assert.equal(unauthenticated.status, 401, 'only the preflight goes without a token');
    const foreign = await raw(p.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    const noOrigin = await raw(p.url, { headers: auth(token), body: INITIALIZE });
    assert.equal(noOrigin.headers['access-control-allow-origin'], undefined, 'no CORS headers for non-browser clients');
    p.child.kill('SIGTERM');
    await p.exit;
  });

  test('more than 8 requests in flight from one client: 429; another client is still served', async () => {
    // Every price read hangs until the server's own timeout: nine calls stay in flight.
    const { standIn, p, headers } = await aliceWithHangingReads();
    const calls = Array.from({ length: 8 }, (_, i) =>
      raw(p.url, {
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 10 + i,
          method: 'tools/call',
          params: { name: 'get_price_index', arguments: { symbol: 'BTCUSDT' } },
        }),
      }),
    );
    await until(
      () => standIn.wire.requestsTo('GET', '/sapi/v1/margin/priceIndex').length >= 8,
      'eight reads in flight',
    );
    const ninth = await raw(p.url, {
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list', params: {} }),
    });
    assert.equal(ninth.status, 429);
    assert.equal(ninth.headers['retry-after'], '1');
    assert.equal(
      (await raw(p.url, { headers: auth(BOB), body: INITIALIZE })).status,
      200,
      'another client is not held back',
    );
    for (const r of await Promise.all(calls)) assert.equal(r.status, 200);
    p.child.kill('SIGTERM');
    await p.exit;
  });

  test('a client that hangs up keeps its calls counted until they end: it cannot pile up work', async () => {
    const { standIn, p, headers } = await aliceWithHangingReads();
    // Eight calls whose reads hang, then the client hangs up on all of them.
    const hungUp = Array.from({ length: 8 }, (_, i) => {
      const req = httpRequest(p.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      });
      req.on('error', () => undefined);
      req.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 20 + i,
          method: 'tools/call',
          params: { name: 'get_price_index', arguments: { symbol: 'BTCUSDT' } },
        }),
      );
      return req;
    });
    await until(
      () => standIn.wire.requestsTo('GET', '/sapi/v1/margin/priceIndex').length >= 8,
      'eight reads in flight',
    );
    for (const req of hungUp) req.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const again = await raw(p.url, {
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list', params: {} }),
    });
    assert.equal(again.status, 429, 'the calls it hung up on are still running');
    // Once they end (the server's 3 s timeout to Binance), the client is served again.
    await until(
      async () =>
        (
          await raw(p.url, {
            headers,
            body: JSON.stringify({ jsonrpc: '2.0', id: 100, method: 'tools/list', params: {} }),
          })
        ).status === 200,
      'the client served again',
    );
    p.child.kill('SIGTERM');
    await p.exit;
  });

  test('a body over 1 MiB is refused with 413; the server goes on', async () => {
    const p = await serve();
    const token = tokenFile(p.dir);
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { pad: 'a'.repeat(1024 * 1024) },
    });
    const r = await raw(p.url, { headers: auth(token), body: big }).catch((err: Error) => ({
      status: 0,
      body: err.message,
      headers: {},
    }));
    assert.ok(r.status === 413 || r.status === 0, `413 (or the connection closed by the server), got ${r.status}`);
    assert.equal((await raw(p.url, { headers: auth(token), body: INITIALIZE })).status, 200);
    p.child.kill('SIGTERM');
    await p.exit;
  });
});

describe('many clients, one set of rails', () => {
  test(
    'two clients confirming 600 USDT orders at once against Max Daily Value 1,000: exactly one ' + 'is sent',
    async () => {
      const standIn = await mainnet();
      const p = await serve({
        standIn,
        limits: { 'Max Daily Value': '1000' },
        args: ['--confirm-via', 'token'],
        env: { BINANCE_MCP_TOKENS: TOKENS },
      });
      const alice = await clientV2(p.url, ALICE, 'legacy');
      const bob = await clientV2(p.url, BOB, 'modern');
      const [ta, tb] = await Promise.all([call(alice, 'place_order', ORDER), call(bob, 'place_order', ORDER)]);
      assert.equal(ta.structuredContent!.status, 'confirmation_required', JSON.stringify(ta));
      assert.equal(tb.structuredContent!.status, 'confirmation_required', JSON.stringify(tb));
      const results = await Promise.all([
        call(alice, 'confirm_action', { token: ta.structuredContent!.token, confirmation: 'CONFIRM' }),
        call(bob, 'confirm_action', { token: tb.structuredContent!.token, confirmation: 'CONFIRM' }),
      ]);
      const refused = results.filter((r) => r.isError);
      assert.equal(refused.length, 1, JSON.stringify(results));
      assert.equal(refused[0].structuredContent!.error.kind, 'policy');
      assert.match(refused[0].structuredContent!.error.message, /Max Daily Value is 1,000 USDT; 600 USDT were used/);
      assert.equal(standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 1);
      p.child.kill('SIGTERM');
      assert.deepEqual(await withTimeout(p.exit, 10_000, 'exit'), { code: 0, signal: null });
    },
  );

  test(
    'the gate asks each client itself: elicitation on a 2025 session, an input_required round on ' + '2026-07-28',
    async () => {
      const standIn = await mainnet();
      const p = await serve({ standIn, env: { BINANCE_MCP_TOKENS: TOKENS } });
      const asked: string[] = [];
      for (const era of ['legacy', 'modern'] as const) {
        const client = new ClientV2(
          { name: `http-elicit-${era}`, version: '1.0.0' },
          {
            capabilities: { elicitation: {} },
            ...(era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {}),
          },
        );
        client.setRequestHandler('elicitation/create', async (req) => {
          asked.push(`${era}: ${String(req.params.message)}`);
          return { action: 'accept' as const, content: { confirmation: 'CONFIRM' } };
        });
        await client.connect(
          new HttpTransportV2(new URL(p.url), { requestInit: { headers: auth(era === 'legacy' ? ALICE : BOB) } }),
        );
        clients.push(client);
        const r = await call(client, 'place_order', ORDER);
        assert.notEqual(r.isError, true, JSON.stringify(r));
        assert.equal(r.structuredContent!.status, undefined, `${era}: executed, no token`);
        await client.close();
      }
      assert.equal(asked.length, 2);
      assert.match(asked[0], /^legacy: BUY 0\.01 BTCUSDT MARKET/);
      assert.match(asked[1], /^modern: BUY 0\.01 BTCUSDT MARKET/);
      assert.equal(standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 2);
      const lines = journal(p.dir)
        .filter((l) => l.tool === 'place_order')
        .map((l) => `${l.client}:${l.phase}${l.reason ? `:${l.reason}` : ''}`);
      assert.deepEqual(lines, [
        'alice:pending:elicitation',
        'alice:intent',
        'alice:result',
        'bob:pending:input_required',
        'bob:intent',
        'bob:result',
      ]);
      p.child.kill('SIGTERM');
      await p.exit;
    },
  );

  test('named tokens from <state dir>/http-tokens, refused while others may read the file', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'state'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'state', 'http-tokens'), `# laptop and phone\nlaptop ${ALICE}\nphone ${BOB}\n`, {
      mode: 0o644,
    });
    const loose = start([BIN, '--sandbox', '--http', '127.0.0.1:0'], { cwd: dir, env: serverEnv(dir) });
    assert.equal((await withTimeout(loose.exit, 10_000, 'exit')).code, 2);
    assert.match(loose.stderr(), /may be read by other users.*chmod 600/);
    chmodSync(join(dir, 'state', 'http-tokens'), 0o600);
    const p = await serve({ dir });
    assert.equal(existsSync(join(dir, 'state', 'http-token')), false);
    const phone = await clientV2(p.url, BOB, 'modern');
    assert.equal((await phone.listTools()).tools.length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
    assert.match(p.stderr(), /"clients":\["laptop","phone"\]/);
    p.child.kill('SIGTERM');
    await p.exit;
  });

  test(
    'a pending action is bound to the client that created it: another token cannot confirm, list ' + 'or cancel it',
    async () => {
      const standIn = await mainnet();
      const p = await serve({ standIn, args: ['--confirm-via', 'token'], env: { BINANCE_MCP_TOKENS: TOKENS } });
      const alice = await clientV2(p.url, ALICE, 'legacy');
      const bob = await clientV2(p.url, BOB, 'legacy');
      const pending = await call(alice, 'place_order', ORDER);
      const token = pending.structuredContent!.token as string;
      const stolen = await call(bob, 'confirm_action', { token, confirmation: 'CONFIRM' });
      assert.equal(stolen.isError, true);
      assert.equal(stolen.structuredContent!.error.kind, 'confirmation');
      assert.match(stolen.structuredContent!.error.message, /issued to another client; nothing was executed/);
      assert.deepEqual((await call(bob, 'list_pending_actions')).structuredContent!.pending, []);
      assert.equal((await call(bob, 'cancel_pending_action', { token })).isError, true);
      assert.equal(standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 0);
      assert.equal((await call(alice, 'list_pending_actions')).structuredContent!.pending.length, 1);
      const done = await call(alice, 'confirm_action', { token, confirmation: 'CONFIRM' });
      assert.notEqual(done.isError, true, JSON.stringify(done));
      assert.equal(standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 1);
      // The journal says which client made each step.
      const lines = journal(p.dir).filter((l) => l.tool === 'place_order');
      assert.deepEqual(
        lines.map((l) => `${l.phase}:${l.client}`),
        ['pending:alice', 'intent:alice', 'result:alice'],
      );
      p.child.kill('SIGTERM');
      await p.exit;
    },
  );

  test('a 2025 session is bound to its client: another token presenting its id gets 404; DELETE ends it', async () => {
    const p = await serve({ env: { BINANCE_MCP_TOKENS: TOKENS } });
    const init = await raw(p.url, { headers: auth(ALICE), body: INITIALIZE });
    const sid = String(init.headers['mcp-session-id']);
    assert.match(sid, /^[0-9a-f-]{36}$/);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    const headers = (t: string) => ({ ...auth(t), 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' });
    await raw(p.url, {
      headers: headers(ALICE),
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    assert.equal(
      message((await raw(p.url, { headers: headers(ALICE), body: list })).body).result.tools.length,
      CATALOG.length + NON_ENDPOINT_TOOLS.length,
    );
    const foreign = await raw(p.url, { headers: headers(BOB), body: list });
    assert.equal(foreign.status, 404);
    assert.equal(
      (await raw(p.url, { method: 'DELETE', headers: headers(BOB) })).status,
      404,
      'another client cannot end it either',
    );
    assert.equal((await raw(p.url, { method: 'DELETE', headers: headers(ALICE) })).status, 200);
    assert.equal((await raw(p.url, { headers: headers(ALICE), body: list })).status, 404);
    p.child.kill('SIGTERM');
    await p.exit;
  });

  test(
    'a sealed 2026 confirmation state opens only for the principal that made it, and another cannot ' + 'use it up',
    () => {
      const sealed = new SealedState();
      const action = {
        id: '1',
        tool: 'place_order',
        account: 'main',
        environment: 'mainnet' as const,
        endpoint: 'POST /sapi/v1/margin/order',
        params: {},
        summary: 's',
        principal: 'alice',
      };
      const state = sealed.seal(action, Date.now() + 60_000);
      const binding = { tool: 'place_order', account: 'main', environment: 'mainnet' };
      assert.throws(() => sealed.open(state, { ...binding, principal: 'bob' }), /made by another client/);
      assert.throws(() => sealed.open(state, binding), /made by another client/);
      assert.equal(sealed.open(state, { ...binding, principal: 'alice' }).id, '1');
    },
  );
});

describe('dynamic toolsets over HTTP', () => {
  test('a toolset a 2026-07-28 client enables stays enabled on its next requests, for that client only', async () => {
    const p = await serve({ args: ['--toolsets', 'dynamic'], env: { BINANCE_MCP_TOKENS: TOKENS } });
    const alice = await clientV2(p.url, ALICE, 'modern');
    const bob = await clientV2(p.url, BOB, 'modern');
    const before = (await alice.listTools()).tools.length;
    const r = await call(alice, 'enable_toolset', { toolset: 'trade' });
    assert.notEqual(r.isError, true, JSON.stringify(r));
    const after = (await alice.listTools()).tools.map((t) => t.name);
    assert.ok(after.length > before && after.includes('place_order'), `${before} → ${after.length}`);
    assert.notEqual(
      (await call(alice, 'get_open_orders', { symbol: 'BTCUSDT' })).structuredContent?.error?.kind,
      'validation',
    );
    assert.equal((await bob.listTools()).tools.length, before, "another client's toolsets are its own");
    assert.equal(p.child.exitCode, null);
    p.child.kill('SIGTERM');
    await p.exit;
  });

  test('a 2026-07-28 client listening for tool-list changes hears of the toolset it enabled', async () => {
    const p = await serve({ args: ['--toolsets', 'dynamic'], env: { BINANCE_MCP_TOKENS: TOKENS } });
    const alice = await clientV2(p.url, ALICE, 'modern');
    let heard = 0;
    alice.setNotificationHandler('notifications/tools/list_changed', () => {
      heard++;
    });
    const subscription = await alice.listen({ toolsListChanged: true });
    assert.notEqual((await call(alice, 'enable_toolset', { toolset: 'trade' })).isError, true);
    await until(() => heard > 0, 'notifications/tools/list_changed on the listen stream', 10_000);
    assert.ok((await alice.listTools()).tools.some((t) => t.name === 'place_order'));
    await subscription.close();
    p.child.kill('SIGTERM');
    await p.exit;
  });
});

describe('a client that goes away', () => {
  test(
    'dropping mid-write leaves one order and one journal outcome, and the server goes on serving ' + 'the others',
    async () => {
      const standIn = await mainnet();
      // Binance takes the order and the answer never comes: the server reconciles by client id.
      standIn.wire.inject({
        fault: { kind: 'hang' },
        afterExecute: true,
        match: (r) => r.method === 'POST' && r.path === '/sapi/v1/margin/order',
      });
      const p = await serve({ standIn, args: ['--confirm-via', 'token'], env: { BINANCE_TIMEOUT_MS: '1500' } });
      const token = tokenFile(p.dir);
      const init = await raw(p.url, { headers: auth(token), body: INITIALIZE });
      const headers = {
        ...auth(token),
        'mcp-session-id': String(init.headers['mcp-session-id']),
        'mcp-protocol-version': '2025-11-25',
      };
      await raw(p.url, { headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
      const pending = message(
        (
          await raw(p.url, {
            headers,
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: 2,
              method: 'tools/call',
              params: { name: 'place_order', arguments: ORDER },
            }),
          })
        ).body,
      );
      const confirmToken = pending.result.structuredContent.token;
      // The confirming request, dropped as soon as the order reached "Binance".
      const req = httpRequest(p.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      req.on('error', () => undefined);
      req.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'confirm_action', arguments: { token: confirmToken, confirmation: 'CONFIRM' } },
        }),
      );
      await until(
        () => standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length > 0,
        'the order reaching the stand-in',
      );
      req.destroy();
      await until(
        () => journal(p.dir).some((l) => l.tool === 'place_order' && (l.phase === 'result' || l.phase === 'unknown')),
        'the outcome in the journal',
        20_000,
      );
      const phases = journal(p.dir)
        .filter((l) => l.tool === 'place_order')
        .map((l) => l.phase);
      assert.deepEqual(phases, ['pending', 'intent', 'result'], JSON.stringify(journal(p.dir)));
      const intent = journal(p.dir).find((l) => l.tool === 'place_order' && l.phase === 'intent');
      assert.equal(intent?.confirmedVia, 'token');
      assert.equal(standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 1, 'sent once, never re-sent');
      // The server outlives the client.
      const other = await clientV2(p.url, token, 'modern');
      assert.equal((await other.listTools()).tools.length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
      assert.equal(p.child.exitCode, null);
      p.child.kill('SIGTERM');
      assert.deepEqual(await withTimeout(p.exit, 10_000, 'exit'), { code: 0, signal: null });
    },
  );
});

describe('slow clients', () => {
  test('a client that does not finish sending its request is cut off; the others are served', async () => {
    const dir = scratch();
    const config = parseConfig(
      ['--sandbox', '--http', '127.0.0.1:0'],
      { BINANCE_STATE_DIR: join(dir, 'state'), BINANCE_MCP_TOKEN: ALICE },
      dir,
    );
    if (typeof config === 'string') throw new Error('unexpected');
    const log = createLogger('silent');
    const handle = createServer(config, log);
    const http = await startHttpServer(handle, config.http!, config.stateDir, log, {
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
    });
    try {
      const cutOff = (bytes: string) =>
        new Promise<string>((resolve) => {
          const socket = connect(http.port, '127.0.0.1', () => socket.write(bytes));
          let got = '';
          socket.setEncoding('utf8').on('data', (d: string) => (got += d));
          socket.on('close', () => resolve(got));
          socket.on('error', () => undefined);
        });
      const started = Date.now();
      const [headersOnly, bodyMissing] = await Promise.all([
        cutOff('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n'), // headers never end
        cutOff(
          `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ALICE}\r\nContent-Type: ` +
            `application/json\r\nContent-Length: 500\r\n\r\n{"jsonrpc"`,
        ), // body never ends
      ]);
      assert.ok(Date.now() - started < 5_000, 'cut off within seconds');
      assert.match(headersOnly, /^HTTP\/1\.1 408/);
      assert.ok(bodyMissing === '' || /^HTTP\/1\.1 (408|400|500)/.test(bodyMissing), bodyMissing.slice(0, 80));
      assert.equal((await raw(http.url, { headers: auth(ALICE), body: INITIALIZE })).status, 200);
    } finally {
      await http.close();
      await handle.close(0);
    }
  });
});

describe('2025 sessions are cleaned up', () => {
  test('after their idle time, and the least recently used past the per-client cap', async () => {
    const dir = scratch();
    const config = parseConfig(
      ['--sandbox', '--http', '127.0.0.1:0'],
      { BINANCE_STATE_DIR: join(dir, 'state'), BINANCE_MCP_TOKENS: TOKENS },
      dir,
    );
    if (typeof config === 'string') throw new Error('unexpected');
    const log = createLogger('silent');
    const handle = createServer(config, log);
    const http = await startHttpServer(handle, config.http!, config.stateDir, log, {
      sessionIdleMs: 1_500,
      maxSessionsPerClient: 2,
    });
    const open = async (token: string) =>
      String((await raw(http.url, { headers: auth(token), body: INITIALIZE })).headers['mcp-session-id']);
    const ping = async (token: string, sid: string) =>
      (
        await raw(http.url, {
          headers: { ...auth(token), 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' }),
        })
      ).status;
    try {
      const [a1, a2] = [await open(ALICE), await open(ALICE)];
      const b1 = await open(BOB);
      assert.equal(http.sessions, 3);
      const a3 = await open(ALICE); // alice's third: her least recently used (a1) is closed, bob's is not
      await until(() => http.sessions === 3, 'the eviction');
      assert.equal(await ping(ALICE, a1), 404);
      assert.equal(await ping(ALICE, a2), 200);
      assert.equal(await ping(BOB, b1), 200);
      // Kept alive by use; left alone, closed.
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(await ping(ALICE, a3), 200);
      }
      await until(() => http.sessions === 1, 'the idle sessions to close', 10_000);
      assert.equal(await ping(ALICE, a3), 200);
      assert.equal(await ping(BOB, b1), 404);
    } finally {
      await http.close();
      await handle.close(0);
    }
  });
});

describe('the process', () => {
  test('SIGTERM during a write: it is journaled as unknown before exit 0', async () => {
    const standIn = await mainnet();
    standIn.wire.inject({
      fault: { kind: 'hang' },
      match: (r) => r.method === 'POST' && r.path === '/sapi/v1/margin/order',
    });
    const p = await serve({ standIn, args: ['--confirm-via', 'token'] });
    const client = await clientV2(p.url, tokenFile(p.dir), 'legacy');
    const pending = await call(client, 'place_order', ORDER);
    void call(client, 'confirm_action', { token: pending.structuredContent!.token, confirmation: 'CONFIRM' }).catch(
      () => undefined,
    );
    await until(
      () => standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').length > 0,
      'the order reaching the stand-in',
    );
    p.child.kill('SIGTERM');
    assert.deepEqual(await withTimeout(p.exit, 15_000, 'exit after SIGTERM'), { code: 0, signal: null });
    const lines = journal(p.dir).filter((l) => l.tool === 'place_order');
    assert.deepEqual(
      lines.map((l) => l.phase),
      ['pending', 'intent', 'unknown'],
      JSON.stringify(lines),
    );
    assert.match(lines[2].reason, /shut down before Binance answered/);
  });

  test('stdin closing does not stop the HTTP server; SIGTERM does, with exit 0', async () => {
    const p = await serve();
    p.child.stdin.end();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(p.child.exitCode, null);
    assert.equal((await raw(p.url, { headers: auth(tokenFile(p.dir)), body: INITIALIZE })).status, 200);
    p.child.kill('SIGTERM');
    assert.deepEqual(await withTimeout(p.exit, 10_000, 'exit after SIGTERM'), { code: 0, signal: null });
    assert.match(p.stderr(), /shutting down/);
  });

  test('a non-loopback address needs --allow-remote and a configured token', async () => {
    for (const [args, env, re] of [
      [['--http', '0.0.0.0:0'], {}, /needs --allow-remote|non-loopback address; add --allow-remote/],
      [['--http', '0.0.0.0:0', '--allow-remote', '--allowed-hosts', 'mcp.example.com'], {}, /needs BINANCE_MCP_TOKEN/],
      [['--http', '0.0.0.0:0', '--allow-remote'], { BINANCE_MCP_TOKEN: 'z'.repeat(40) }, /--allowed-hosts/],
      [['--http', '127.0.0.1:0'], { BINANCE_MCP_TOKEN: 'short' }, /at least 32/],
      [['--http', 'nope'], {}, /\[HOST:\]PORT/],
    ] as const) {
      const dir = scratch();
      const p = start([BIN, '--sandbox', ...args], { cwd: dir, env: serverEnv(dir, env) });
      const { code } = await withTimeout(p.exit, 10_000, 'exit');
      assert.equal(code, 2, `${args.join(' ')}: ${p.stderr()}`);
      assert.match(p.stderr(), re);
    }
  });

  test('parseConfig: --http forms, BINANCE_HTTP, BINANCE_MCP_TOKENS', () => {
    const http = (argv: string[], env: Record<string, string> = {}) => {
      const c = parseConfig(argv, { BINANCE_STATE_DIR: '/nonexistent-state', ...env }, '/');
      return typeof c === 'string' ? undefined : c.http;
    };
    assert.equal(http([]), undefined);
    assert.deepEqual(
      { ...http(['--http', '8765'])!, tokens: [] },
      { host: '127.0.0.1', port: 8765, allowRemote: false, allowedHosts: [], tokens: [] },
    );
    assert.equal(http(['--http', '[::1]:9000'])!.host, '::1');
    assert.equal(http([], { BINANCE_HTTP: 'localhost:1234' })!.port, 1234);
    assert.deepEqual(
      http(['--http', '8765'], { BINANCE_MCP_TOKENS: TOKENS })!.tokens.map((t) => t.name),
      ['alice', 'bob'],
    );
    assert.throws(() => http(['--http', '8765'], { BINANCE_MCP_TOKENS: `alice:${ALICE},bob:${ALICE}` }), UsageError);
    assert.throws(() => http(['--http', '8765'], { BINANCE_MCP_TOKENS: `a:${ALICE},a:${BOB}` }), UsageError);
    assert.throws(() => http(['--http', '70000']), UsageError);
    assert.equal(http(['--http', '10.1.2.3:80', '--allow-remote'], { BINANCE_MCP_TOKEN: ALICE })!.host, '10.1.2.3');
  });
});
