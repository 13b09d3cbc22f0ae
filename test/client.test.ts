/**
 * The Binance REST client against the loopback stand-in: signatures in all three
 * schemes, the exact query and headers, the clock, retries, rate limits and failures.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BinanceClient, USER_AGENT, type Credentials, type WireEndpoint } from '../src/binance/client.js';
import { toPlainDecimal } from '../src/binance/decimal.js';
import { parseJsonExact } from '../src/binance/json.js';
import { buildQuery, encodeRfc3986 } from '../src/binance/query.js';
import { ed25519Signer, hmacSigner, loadPrivateKey, rsaSigner } from '../src/binance/signer.js';
import { ToolError } from '../src/errors.js';
import { ed25519KeyPair, randomApiKey, randomSecret, rsaKeyPair } from './helpers/keys.js';
import { startStandIn, type StandIn } from './helpers/standin.js';

const SIGNED_GET: WireEndpoint = {
  method: 'GET',
  path: '/sapi/v1/margin/order',
  security: 'USER_DATA',
  weight: { amount: 10, per: 'IP' },
};
const SIGNED_POST: WireEndpoint = {
  method: 'POST',
  path: '/sapi/v1/margin/order',
  security: 'TRADE',
  weight: { amount: 6, per: 'UID' },
};
const KEY_ONLY: WireEndpoint = {
  method: 'GET',
  path: '/sapi/v1/margin/allPairs',
  security: 'MARKET_DATA',
  weight: { amount: 1, per: 'IP' },
};

async function rejects(p: Promise<unknown>, check: (e: ToolError) => void): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ToolError, `expected a ToolError, got ${String(e)}`);
    check(e);
    return;
  }
  assert.fail('expected the call to fail');
}

describe("Binance's published signature examples", () => {
  const secret = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
  test('HMAC example of the REST docs', () => {
    const query = buildQuery({
      symbol: 'LTCBTC',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '0.1',
      recvWindow: 5000,
      timestamp: 1499827319559,
    });
    assert.equal(
      query,
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
    );
    assert.equal(hmacSigner(secret).sign(query), 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
  });
  test('non-ASCII example: signed over the percent-encoded string', () => {
    const query = buildQuery({
      symbol: '１２３４５６',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '0.1',
      recvWindow: 5000,
      timestamp: 1499827319559,
    });
    assert.ok(query.startsWith('symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY'));
    assert.equal(hmacSigner(secret).sign(query), 'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3');
  });
});

describe('query building', () => {
  test('RFC 3986 encoding, stable order, absent values dropped', () => {
    assert.equal(
      buildQuery({ b: 'x y', a: "!'()*", c: undefined, d: null, e: '~-_.' }),
      'b=x%20y&a=%21%27%28%29%2A&e=~-_.',
    );
  });
  test('the encoding of each character is the full percent-encoding, whether or not a value has any to encode', () => {
    const full = (t: string) =>
      encodeURIComponent(t).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const alphabet = [...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)), 'é', '€', '😀', 'ı', 'K'];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let n = 0; n < 3_000; n++) {
      // Half the values only of unreserved characters (the path that encodes nothing), half of anything.
      const pool = n % 2 ? alphabet : [...'abcXYZ019-._~'];
      const text = Array.from({ length: next() % 70 }, () => pool[next() % pool.length]).join('');
      assert.equal(encodeRfc3986(text), full(text), JSON.stringify(text));
    }
    const hex = createHmac('sha256', 'k').update('q').digest('hex');
    assert.equal(encodeRfc3986(hex), hex);
    assert.equal(encodeRfc3986('a\nb'), 'a%0Ab');
  });
  test('decimals never in exponent notation', () => {
    assert.equal(toPlainDecimal(1e-8), '0.00000001');
    assert.equal(toPlainDecimal('1e-8'), '0.00000001');
    assert.equal(toPlainDecimal('2.5E-10'), '0.00000000025');
    assert.equal(toPlainDecimal(1.5e21), '1500000000000000000000');
    assert.equal(toPlainDecimal(123456789012345680000), '123456789012345680000');
    assert.equal(toPlainDecimal('0.0100'), '0.01');
    assert.equal(toPlainDecimal('abc'), null);
    assert.throws(() => buildQuery({ q: 0.1 }), /decimal strings/);
  });
  test('integers beyond 2^53 in a response keep every digit', () => {
    const data = parseJsonExact(
      '{"txId":1352286576452864727,"small":12,"s":"1352286576452864727x","f":1.5e3}',
    ) as Record<string, unknown>;
    assert.equal(data.txId, '1352286576452864727');
    assert.equal(data.small, 12);
    assert.equal(data.s, '1352286576452864727x');
    assert.equal(data.f, 1500);
  });

  test('integers are quoted exactly where the character scan it replaced quoted them', () => {
    // The scan parseJsonExact used before (one character at a time), kept as the reference.
    const reference = (text: string): string => {
      if (!/\d{16}/.test(text)) return text;
      let out = '';
      let i = 0;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '"') {
          let j = i + 1;
          while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
          out += text.slice(i, j + 1);
          i = j + 1;
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          let j = i + 1;
          while (j < text.length && /[0-9eE.+-]/.test(text[j]!)) j++;
          const literal = text.slice(i, j);
          const quote =
            /^-?\d+$/.test(literal) && literal.replace('-', '').length >= 16 && !Number.isSafeInteger(Number(literal));
          out += quote ? `"${literal}"` : literal;
          i = j;
        } else {
          out += c;
          i++;
        }
      }
      return out;
    };
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const digits = (n: number) => Array.from({ length: n }, (_, k) => (k === 0 ? 1 + rnd(9) : rnd(10))).join('');
    const value = (depth: number): unknown => {
      switch (rnd(depth > 2 ? 6 : 8)) {
        case 0:
          return `${rnd(2) ? '-' : ''}${digits(1 + rnd(22))}`; // integers around 2^53
        case 1:
          return `${digits(1 + rnd(18))}.${digits(1 + rnd(18))}`;
        case 2:
          return `${digits(1 + rnd(3))}e${rnd(2) ? '-' : '+'}${digits(1 + rnd(2))}`;
        case 3:
          return JSON.stringify(`${digits(rnd(24))}${['', ':', ',', '\\"', ' [', 'x'][rnd(6)]}${digits(rnd(20))}`);
        case 4:
          return ['true', 'null', '"0.00000000"', '0'][rnd(4)];
        case 5:
          return JSON.stringify('a"b\\c: 12345678901234567890');
        case 6:
          return `[${Array.from({ length: rnd(4) }, () => value(depth + 1)).join(rnd(2) ? ',' : ', ')}]`;
        default:
          return `{${Array.from({ length: rnd(4) }, (_, k) => `"k${k}":${rnd(2) ? ' ' : ''}${value(depth + 1)}`).join(',')}}`;
      }
    };
    // Where a number can stand: the whole text, first in an array, after white space.
    for (const text of [
      '12345678901234567890',
      '[12345678901234567890]',
      '[\n  -12345678901234567890 ]',
      '{"a":\t12345678901234567890}',
    ])
      assert.deepEqual(parseJsonExact(text), JSON.parse(reference(text)), text);
    let quoted = 0;
    for (let n = 0; n < 3000; n++) {
      const text = String(value(0));
      const expected = JSON.parse(reference(text));
      assert.deepEqual(parseJsonExact(text), expected, text);
      if (reference(text) !== text) quoted++;
    }
    assert.ok(quoted > 300, `${quoted} texts had an integer to quote`);
  });
});

describe('client against the stand-in', () => {
  let standIn: StandIn;
  const apiKey = randomApiKey();
  const secret = randomSecret();
  const hmac: Credentials = { apiKey, signer: hmacSigner(secret), accountKey: 'hmac' };

  before(async () => {
    standIn = await startStandIn([
      { method: 'GET', path: SIGNED_GET.path, security: 'USER_DATA' },
      { method: 'POST', path: SIGNED_POST.path, security: 'TRADE' },
      { method: 'GET', path: KEY_ONLY.path, security: 'MARKET_DATA' },
    ]);
    standIn.wire.addKey({ apiKey, accountId: 'a', hmacSecret: secret });
  });
  after(() => standIn.close());

  const fresh = (opts: ConstructorParameters<typeof BinanceClient>[1] = {}) => new BinanceClient(standIn.url, opts);

  test('HMAC: signature last, over exactly the bytes sent, with User-Agent and API key header', async () => {
    const client = fresh();
    const res = await client.send(SIGNED_GET, { symbol: 'BTCUSDT', note: 'café ü', quantity: '0.00000001' }, hmac);
    assert.deepEqual(res.data, { echo: 'GET /sapi/v1/margin/order', bigId: '9007199254740993', price: '0.00000001' });
    const req = standIn.wire.requestsTo('GET', SIGNED_GET.path).at(-1)!;
    assert.equal(req.headers['user-agent'], USER_AGENT);
    assert.equal(req.headers['x-mbx-apikey'], apiKey);
    const m = /^(.*)&signature=([0-9a-f]{64})$/.exec(req.rawQuery);
    assert.ok(m, req.rawQuery);
    assert.ok(m[1].startsWith('symbol=BTCUSDT&note=caf%C3%A9%20%C3%BC&quantity=0.00000001&timestamp='));
    assert.equal(m[2], createHmac('sha256', secret).update(m[1]).digest('hex'));
    await client.close();
  });

  test('RSA and Ed25519 keys sign requests the stand-in verifies, passphrase-protected PEM included', async () => {
    const rsa = rsaKeyPair('pass phrase');
    const ed = ed25519KeyPair();
    standIn.wire.addPublicKey('rsa-key-0000', 'b', rsa.publicKey);
    standIn.wire.addPublicKey('ed-key-00000', 'c', ed.publicKey);
    const client = fresh();
    for (const creds of [
      { apiKey: 'rsa-key-0000', signer: rsaSigner(loadPrivateKey(rsa.privateKey, 'pass phrase')), accountKey: 'rsa' },
      { apiKey: 'ed-key-00000', signer: ed25519Signer(loadPrivateKey(ed.privateKey)), accountKey: 'ed' },
    ]) {
      const res = await client.send(SIGNED_POST, { symbol: 'ＢＴＣ', side: 'BUY' }, creds);
      assert.equal((res.data as { echo: string }).echo, 'POST /sapi/v1/margin/order');
      const req = standIn.wire.requestsTo('POST', SIGNED_POST.path).at(-1)!;
      // base64 signatures are percent-encoded: no raw + / = in the query
      assert.match(req.rawQuery, /&signature=[A-Za-z0-9%]+$/);
      assert.equal(req.params.symbol, 'ＢＴＣ');
    }
    // a wrong key is refused by the stand-in with Binance's -1022
    const wrong = {
      apiKey: 'ed-key-00000',
      signer: ed25519Signer(loadPrivateKey(ed25519KeyPair().privateKey)),
      accountKey: 'x',
    };
    await rejects(client.send(SIGNED_POST, { symbol: 'BTCUSDT' }, wrong), (e) => {
      assert.equal(e.kind, 'binance');
      assert.equal(e.code, -1022);
    });
    await client.close();
  });

  test('MARKET_DATA endpoints carry the key header and no signature', async () => {
    const client = fresh();
    await client.send(KEY_ONLY, { symbol: 'BTCUSDT' }, hmac);
    const req = standIn.wire.requestsTo('GET', KEY_ONLY.path).at(-1)!;
    assert.equal(req.rawQuery, 'symbol=BTCUSDT');
    assert.equal(req.headers['x-mbx-apikey'], apiKey);
    await client.close();
  });

  test('-1021: one re-sync of the clock and one resend, for a write too', async () => {
    const client = fresh();
    await client.send(SIGNED_GET, {}, hmac); // syncs the clock once
    const timeCalls = () => standIn.wire.requestsTo('GET', '/api/v3/time').length;
    const before = timeCalls();
    const posts = standIn.wire.requestsTo('POST', SIGNED_POST.path).length;
    standIn.wire.inject({
      fault: { kind: 'binance', code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' },
      match: (r) => r.method === 'POST',
    });
    const res = await client.send(SIGNED_POST, { symbol: 'BTCUSDT' }, hmac);
    assert.equal((res.data as { echo: string }).echo, 'POST /sapi/v1/margin/order');
    assert.equal(standIn.wire.requestsTo('POST', SIGNED_POST.path).length - posts, 2);
    assert.equal(timeCalls() - before, 1);
    // twice in a row: resent once only, then the error
    standIn.wire.inject({
      fault: { kind: 'binance', code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' },
      match: (r) => r.method === 'POST',
      times: 2,
    });
    const n = standIn.wire.requestsTo('POST', SIGNED_POST.path).length;
    await rejects(client.send(SIGNED_POST, { symbol: 'BTCUSDT' }, hmac), (e) => {
      assert.equal(e.code, -1021);
      assert.match(e.fields.hint ?? '', /clock/);
    });
    assert.equal(standIn.wire.requestsTo('POST', SIGNED_POST.path).length - n, 2);
    await client.close();
  });

  test('a skewed Binance clock is absorbed by the clock sync', async () => {
    standIn.wire.clockSkewMs = 30_000;
    try {
      const client = fresh();
      const res = await client.send(SIGNED_GET, {}, hmac);
      assert.equal(res.httpStatus, 200);
      assert.ok(Math.abs(client.clock.offset - 30_000) < 1000, `offset ${client.clock.offset}`);
      await client.close();
    } finally {
      standIn.wire.clockSkewMs = 0;
    }
  });

  test('GET is retried on 5xx and on a reset; POST never is', async () => {
    const client = fresh();
    for (const fault of [{ kind: 'status', status: 502 } as const, { kind: 'reset' } as const]) {
      const n = standIn.wire.requestsTo('GET', SIGNED_GET.path).length;
      standIn.wire.inject({ fault, match: (r) => r.path === SIGNED_GET.path && r.method === 'GET' });
      const res = await client.send(SIGNED_GET, {}, hmac);
      assert.equal(res.attempts, 2);
      assert.equal(standIn.wire.requestsTo('GET', SIGNED_GET.path).length - n, 2);
    }
    for (const fault of [{ kind: 'status', status: 503 } as const, { kind: 'reset' } as const]) {
      const n = standIn.wire.requestsTo('POST', SIGNED_POST.path).length;
      standIn.wire.inject({ fault, match: (r) => r.method === 'POST' });
      await rejects(client.send(SIGNED_POST, { symbol: 'BTCUSDT' }, hmac, { clientOrderId: 'agent-abc' }), (e) => {
        assert.equal(e.kind, 'unknown_outcome');
        assert.match(e.message, /Execution status unknown/);
        assert.equal(e.fields.clientOrderId, 'agent-abc');
      });
      assert.equal(standIn.wire.requestsTo('POST', SIGNED_POST.path).length - n, 1, 'a write is sent once');
    }
    await client.close();
  });

  test('429: a short Retry-After on a GET waits and retries; a long one or a write fails with rate_limit', async () => {
    const client = fresh();
    standIn.wire.inject({
      fault: { kind: 'too-many', retryAfter: 1 },
      match: (r) => r.method === 'GET' && r.path === SIGNED_GET.path,
    });
    const t0 = Date.now();
    const res = await client.send(SIGNED_GET, {}, hmac);
    assert.equal(res.attempts, 2);
    assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After');

    standIn.wire.inject({ fault: { kind: 'too-many', retryAfter: 1 }, match: (r) => r.method === 'POST' });
    const n = standIn.wire.requestsTo('POST', SIGNED_POST.path).length;
    await rejects(client.send(SIGNED_POST, {}, hmac), (e) => {
      assert.equal(e.kind, 'rate_limit');
      assert.equal(e.fields.httpStatus, 429);
      assert.equal(e.fields.retryAfterSeconds, 1);
    });
    assert.equal(standIn.wire.requestsTo('POST', SIGNED_POST.path).length - n, 1);
    await client.close();
  });

  test('418: the host is not contacted again until the ban ends', async () => {
    const client = fresh();
    standIn.wire.inject({ fault: { kind: 'ban', retryAfter: 120 }, match: (r) => r.path === SIGNED_GET.path });
    await rejects(client.send(SIGNED_GET, {}, hmac), (e) => {
      assert.equal(e.kind, 'rate_limit');
      assert.equal(e.fields.httpStatus, 418);
    });
    const n = standIn.wire.requests.length;
    await rejects(client.send(SIGNED_GET, {}, hmac), (e) => {
      assert.equal(e.kind, 'rate_limit');
      assert.match(e.message, /banned/);
    });
    assert.equal(standIn.wire.requests.length, n, 'nothing was sent during the ban');
    assert.ok(client.limiter.snapshot().bannedUntil);
    await client.close();
  });

  test('a hang times out with a clear error (a read as network, a write as unknown outcome)', async () => {
    const client = fresh({ timeoutMs: 300, maxGetRetries: 0 });
    await client.send(SIGNED_GET, {}, hmac); // sync the clock first
    standIn.wire.inject({ fault: { kind: 'hang' }, match: (r) => r.path === SIGNED_GET.path });
    await rejects(client.send(SIGNED_GET, {}, hmac), (e) => {
      assert.equal(e.kind, 'network');
      assert.match(e.message, /timed out/);
    });
    standIn.wire.inject({ fault: { kind: 'hang' }, match: (r) => r.method === 'POST' });
    await rejects(client.send(SIGNED_POST, {}, hmac), (e) => assert.equal(e.kind, 'unknown_outcome'));
    await client.close();
  });

  test("Binance's error body keeps code, msg and status; a non-JSON body is a clear error", async () => {
    const client = fresh({ maxGetRetries: 0 });
    standIn.wire.inject({
      fault: { kind: 'binance', code: -2010, msg: 'Account has insufficient balance for requested action.' },
      match: (r) => r.method === 'POST',
    });
    await rejects(client.send(SIGNED_POST, {}, hmac), (e) => {
      assert.equal(e.kind, 'binance');
      assert.equal(e.code, -2010);
      assert.equal(e.message, 'Account has insufficient balance for requested action.');
      assert.equal(e.fields.httpStatus, 400);
    });
    standIn.wire.inject({
      fault: { kind: 'status', status: 403, body: '<html>WAF</html>' },
      match: (r) => r.path === SIGNED_GET.path,
    });
    await rejects(client.send(SIGNED_GET, {}, hmac), (e) => {
      assert.equal(e.kind, 'binance');
      assert.equal(e.fields.httpStatus, 403);
      assert.match(e.message, /not a Binance error/);
    });
    standIn.wire.inject({ fault: { kind: 'invalid-json' }, match: (r) => r.path === SIGNED_GET.path });
    await rejects(client.send(SIGNED_GET, {}, hmac), (e) => assert.match(e.message, /not JSON/));
    await client.close();
  });

  test('unknown and missing API keys get -2015 and -2014', async () => {
    const client = fresh();
    await rejects(client.send(SIGNED_GET, {}, { ...hmac, apiKey: 'nobody-knows-this-key' }), (e) =>
      assert.equal(e.code, -2015),
    );
    await client.close();
  });
});

describe('a budget smaller than Binance documents', () => {
  test('after the first 429 the client holds back: no ban, every read served once the minute rolls', async () => {
    const standIn = await startStandIn([{ method: 'GET', path: SIGNED_GET.path, security: 'USER_DATA', weight: 10 }], {
      ipWeightLimit: 100,
    });
    const apiKey = randomApiKey();
    const secret = randomSecret();
    standIn.wire.addKey({ apiKey, accountId: 'a', hmacSecret: secret });
    // Put the stand-in near the end of its minute so that the test waits seconds, not a minute.
    const now = Date.now();
    standIn.wire.clockSkewMs = 57_500 - (now % 60_000);
    const client = new BinanceClient(standIn.url);
    try {
      const creds = { apiKey, signer: hmacSigner(secret), accountKey: 'a' };
      // 14 reads of weight 10 against 100 a minute: about 10 fit before the minute rolls, the rest after.
      const results = await Promise.allSettled(Array.from({ length: 14 }, () => client.send(SIGNED_GET, {}, creds)));
      assert.equal(
        results.filter((r) => r.status === 'fulfilled').length,
        14,
        JSON.stringify(results.find((r) => r.status === 'rejected')),
      );
      assert.ok(
        standIn.wire.stats.tooMany <= 8,
        `429s: ${standIn.wire.stats.tooMany} (at most the requests already in flight)`,
      );
      assert.equal(standIn.wire.stats.banned, 0);
      assert.ok(client.limiter.snapshot().ipBudget1m <= 100, 'the budget was learned from the 429');
    } finally {
      await client.close();
      await standIn.close();
    }
  });
});
