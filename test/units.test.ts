/**
 * Unit tests of the pure, security-critical parts below the integration suites: the
 * redactor, the weight limiter (with an injected clock), the client's connection
 * slots, and the cross-process lock file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BinanceClient } from '../src/binance/client.js';
import { WeightLimiter } from '../src/binance/limiter.js';
import { hmacSigner } from '../src/binance/signer.js';
import type { ToolError } from '../src/errors.js';
import { findEndpoint } from '../src/catalog/index.js';
import { withFileLock } from '../src/safety/file-lock.js';
import { callValue, checkedIndex, orderBorrow } from '../src/safety/valuation.js';
import { Redactor } from '../src/safety/redact.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startStandIn } from './helpers/standin.js';

/** A redactor that knows one random API key and one secret. */
function redactorWithKeyAndSecret() {
  const r = new Redactor();
  const key = randomApiKey();
  const secret = randomSecret();
  r.add(key, 'apiKey');
  r.add(secret, 'secret');
  return { r, key, secret };
}

describe('redactor', () => {
  test('registering the same credential again adds nothing (100 registrations stay at one)', () => {
    const r = new Redactor();
    const key = randomApiKey();
    r.add(key, 'apiKey');
    const size = r.size;
    for (let i = 0; i < 100; i++) r.add(key, 'apiKey');
    assert.equal(r.size, size);
  });

  test('a truncated (12+ characters) or case-changed echo of a key or secret is scrubbed', () => {
    const { r, key, secret } = redactorWithKeyAndSecret();
    for (const echo of [
      key.slice(7, 19),
      key.slice(3, 40).toUpperCase(),
      `x${secret.slice(10, 30)}y`,
      secret.toLowerCase(),
    ]) {
      const out = r.scrubText(`Binance said: invalid key ${echo} (code -2015)`);
      assert.ok(!out.toLowerCase().includes(echo.toLowerCase()), `${echo} → ${out}`);
      assert.ok(r.mayHold(`…${echo}…`), 'mayHold sees it too');
    }
    // 11 characters are not enough to be taken for the key: ordinary text stays.
    assert.equal(r.scrubText(`id ${key.slice(0, 11)}`), `id ${key.slice(0, 11)}`);
  });

  test('the newest 256 signatures are remembered, older ones forgotten', () => {
    const r = new Redactor();
    const sigs = Array.from({ length: 300 }, (_, i) => hmacSigner(randomSecret()).sign(`timestamp=${i}`));
    for (const s of sigs) r.addSignature(s);
    assert.equal(r.size, 256);
    assert.equal(r.scrubText(`echo ${sigs[299]}`), 'echo [SIGNATURE REDACTED]');
    assert.equal(r.scrubText(`echo ${sigs[44]}`), 'echo [SIGNATURE REDACTED]');
    assert.equal(r.scrubText(`echo ${sigs[43]}`), `echo ${sigs[43]}`, 'the 257th newest is forgotten');
    assert.equal(r.scrubText(`echo ${sigs[299]!.slice(1)}x`), `echo ${sigs[299]!.slice(1)}x`, 'not a signature');
  });

  test('a bare signature (without "signature=") is scrubbed once the signer made it', () => {
    const r = new Redactor();
    const sig = hmacSigner(randomSecret()).sign('symbol=BTCUSDT&timestamp=1');
    r.addSignature(sig);
    assert.equal(r.scrubText(`echo: ${sig}.`), 'echo: [SIGNATURE REDACTED].');
    const b64 = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwYWJjZGVmZ2hpams=';
    r.addSignature(b64);
    assert.ok(!r.scrubText(`sig ${b64} bad`).includes(b64.slice(0, 20)));
  });
});

describe('the redactor scans by hand what a regular expression scanned before', () => {
  // The scan before issue 23's change, kept here as the reference: every run of 12+ token characters, each of its
  // 12-character windows (lower-cased) looked up, and a run equal to a remembered signature.
  function reference(known: { windows: Map<string, string> }, signatures: Set<string>, text: string) {
    const hit = (token: string) => {
      if (signatures.has(token)) return '[SIGNATURE REDACTED]';
      const lower = token.toLowerCase();
      for (let i = 0; i + 12 <= lower.length; i++) {
        const h = known.windows.get(lower.slice(i, i + 12));
        if (h) return h;
      }
      return undefined;
    };
    return text.replace(/[A-Za-z0-9+/_-]{12,}/g, (t) => hit(t) ?? t);
  }

  test('finds and replaces exactly the same runs, on 2,000 texts of echoes, noise and near misses', () => {
    const { r, key, secret } = redactorWithKeyAndSecret();
    const sig = hmacSigner(randomSecret()).sign('symbol=BTCUSDT&timestamp=1');
    r.addSignature(sig);
    const known = r as unknown as { windows: Map<string, string> };
    const signatures = new Set([sig.replace(/=+$/, '')]);
    const pieces = [
      () => key.slice(3, 15),
      () => key.slice(5, 16), // 11: no echo
      () => secret.slice(20, 40).toUpperCase(),
      () => sig,
      () => sig.slice(0, 40),
      () => 'transferOutEnabled',
      () => '0.00000000',
      () => 'TotalCollateralValueInUSDT',
      () => '/sapi/v1/margin/account',
      () => '"',
      () => ' ',
      () => '-',
      () => 'é',
      () => randomSecret().slice(0, 1 + Math.floor(Math.random() * 30)),
    ];
    let echoes = 0;
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const parts = 1 + Math.floor(Math.random() * 8);
      for (let i = 0; i < parts; i++) text += pieces[Math.floor(Math.random() * pieces.length)]!();
      const want = reference(known, signatures, text);
      if (want !== text) echoes++;
      assert.equal(r.scrubText(text), want, text);
      assert.equal(r.mayHold(text), want !== text, text);
    }
    assert.ok(echoes > 500, `${echoes} texts held an echo`);
  });
});

describe('weight limiter', () => {
  const clock = (start: number) => {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  test(
    'a write is refused, not queued, when the minute’s budget is spent; a read waits for the ' + 'next minute',
    async () => {
      const c = clock(60_000 * 1000 + 10_000);
      const slept: number[] = [];
      const limiter = new WeightLimiter('api.test', c.now, { IP: 100, UID: 1000 }, async (ms) => {
        slept.push(ms);
        c.advance(ms);
      });
      await limiter.acquire({ amount: 90, per: 'IP' }, 'main', false);
      await assert.rejects(
        limiter.acquire({ amount: 20, per: 'IP' }, 'main', true),
        (e: ToolError) => e.kind === 'rate_limit' && /not sent/.test(e.message),
      );
      await limiter.acquire({ amount: 20, per: 'IP' }, 'main', false);
      assert.equal(slept.length, 1);
      assert.ok(slept[0] >= 50_000 && slept[0] <= 50_250, String(slept[0]));
      assert.equal(limiter.snapshot().refusedLocally, 1);
    },
  );

  test('Retry-After of 1e20, Infinity or NaN holds for a bounded time and never breaks the snapshot', () => {
    const c = clock(1_000_000);
    const limiter = new WeightLimiter('api.test', c.now);
    limiter.onTooManyRequests(1e20);
    limiter.onBan(Infinity);
    limiter.onTooManyRequests(NaN);
    const snap = limiter.snapshot();
    assert.ok(Date.parse(snap.retryAfterUntil!) <= c.now() + 300_000);
    assert.ok(Date.parse(snap.bannedUntil!) <= c.now() + 3 * 86_400_000);
    assert.equal(limiter.open(), false);
  });
});

describe('client connection slots', () => {
  test('a write is never delayed by reads waiting for the IP budget: it is answered before any of them', async () => {
    const key = randomApiKey();
    const secret = randomSecret();
    // The stand-in's clock sits 1.5 s before a minute boundary, so waiting reads resume soon.
    const skew = (((58_500 - (Date.now() % 60_000)) % 60_000) + 60_000) % 60_000;
    const standIn = await startStandIn(
      [
        { method: 'GET', path: '/sapi/v1/margin/account', security: 'USER_DATA', weight: 10, per: 'IP' },
        { method: 'DELETE', path: '/sapi/v1/margin/order', security: 'TRADE', weight: 10, per: 'UID' },
      ],
      { clockSkewMs: skew },
    );
    standIn.wire.addKey({ apiKey: key, accountId: 'main', hmacSecret: secret });
    const client = new BinanceClient(standIn.url);
    const creds = { apiKey: key, signer: hmacSigner(secret), accountKey: 'main' };
    const read = {
      method: 'GET' as const,
      path: '/sapi/v1/margin/account',
      security: 'USER_DATA' as const,
      weight: { amount: 10, per: 'IP' as const },
    };
    const cancel = {
      method: 'DELETE' as const,
      path: '/sapi/v1/margin/order',
      security: 'TRADE' as const,
      weight: { amount: 10, per: 'UID' as const },
    };
    try {
      await client.send(read, {}, creds); // syncs the clock
      // Binance says the IP budget of this minute is spent.
      client.limiter.observe({ 'x-sapi-used-ip-weight-1m': '12000' }, 'main');
      const order: string[] = [];
      const reads = Array.from({ length: 12 }, (_, i) =>
        client.send(read, {}, creds).then(() => order.push(`read${i}`)),
      );
      await new Promise((r) => setTimeout(r, 50));
      await client.send(cancel, { symbol: 'BTCUSDT', orderId: 1 }, creds).then(() => order.push('cancel'));
      await Promise.all(reads);
      assert.equal(order[0], 'cancel', order.join(' '));
      assert.ok(client.limiter.snapshot().requestsHeldBack >= 12);
    } finally {
      await client.close();
      await standIn.close();
    }
  });
});

describe('lock file across processes', () => {
  test(
    'a lock left by a process that died is taken over at once; one held by a live process makes the caller ' +
      'wait, then refuses',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bmm-lock-'));
      try {
        const lock = join(dir, 'main.lock');
        const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
          encoding: 'utf8',
        });
        writeFileSync(
          lock,
          JSON.stringify({ pid: Number(dead.stdout), host: hostname(), since: new Date().toISOString() }),
        );
        assert.equal(await withFileLock(lock, () => 'ran', { waitMs: 200 }), 'ran');
        // A live holder (our parent process, as far as the lock can tell).
        writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), since: new Date().toISOString() }));
        await assert.rejects(
          withFileLock(lock, () => 'ran', { waitMs: 200, what: 'The order' }),
          (e: ToolError) => e.kind === 'config' && /The order waited 0 s for another server process/.test(e.message),
        );
        rmSync(lock);
        // Calls of one process queue in order and never overlap.
        const seen: string[] = [];
        await Promise.all(
          [1, 2, 3].map((n) =>
            withFileLock(lock, async () => {
              seen.push(`in${n}`);
              await new Promise((r) => setTimeout(r, 10));
              seen.push(`out${n}`);
            }),
          ),
        );
        assert.deepEqual(seen, ['in1', 'out1', 'in2', 'out2', 'in3', 'out3']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('valuation', () => {
  const index = (prices: Record<string, string>) => async (symbol: string) => {
    if (!(symbol in prices)) throw new Error(`no index for ${symbol}`);
    return prices[symbol];
  };

  test(
    'an order is worth its quantity at the highest of its prices and the index; a list its ' + 'largest leg',
    async () => {
      const prices = index({ BTCUSDT: '50000', ETHBTC: '0.05', BTCUSDC: '50000', USDCUSDT: '1' });
      const order = findEndpoint('place_order')!;
      assert.equal(
        (await callValue(order, { symbol: 'BTCUSDT', side: 'SELL', quantity: '1', price: '1' }, prices))!.valueUsdt,
        50_000,
      );
      assert.equal(
        (await callValue(order, { symbol: 'BTCUSDT', side: 'BUY', quantity: '1', price: '70000' }, prices))!.valueUsdt,
        70_000,
      );
      assert.equal(
        (await callValue(order, { symbol: 'BTCUSDT', side: 'BUY', quoteOrderQty: '123' }, prices))!.valueUsdt,
        123,
      );
      // A BTC-quoted pair is converted at BTC's index: 10 ETH × 0.05 BTC × 50,000.
      assert.equal(
        (await callValue(order, { symbol: 'ETHBTC', side: 'BUY', quantity: '10' }, prices))!.valueUsdt,
        25_000,
      );
      const oco = findEndpoint('place_oco_order')!;
      const v = await callValue(
        oco,
        {
          symbol: 'BTCUSDT',
          side: 'SELL',
          quantity: '0.1',
          price: '60000',
          stopPrice: '40000',
          stopLimitPrice: '39000',
        },
        prices,
      );
      assert.equal(v!.valueUsdt, 6_000);
      assert.equal(v!.priceUsed, '60000');
    },
  );

  test('what an order may borrow is what it needs beyond the free balance', async () => {
    const prices = index({ BTCUSDT: '50000' });
    const free = async (asset: string) => (asset === 'USDT' ? 1_000 : 0.01);
    const order = findEndpoint('place_order')!;
    assert.equal(
      await orderBorrow(order, { symbol: 'BTCUSDT', side: 'BUY', quantity: '0.1' }, prices, free),
      undefined,
      'no side effect: no borrow',
    );
    assert.deepEqual(
      await orderBorrow(
        order,
        { symbol: 'BTCUSDT', side: 'BUY', quantity: '0.1', sideEffectType: 'MARGIN_BUY' },
        prices,
        free,
      ),
      { asset: 'USDT', amount: 4_000, valueUsdt: 4_000 },
    );
    const sell = await orderBorrow(
      order,
      { symbol: 'BTCUSDT', side: 'SELL', quantity: '0.05', sideEffectType: 'AUTO_BORROW_REPAY' },
      prices,
      free,
    );
    assert.equal(sell!.asset, 'BTC');
    assert.ok(Math.abs(sell!.amount - 0.04) < 1e-12 && Math.abs(sell!.valueUsdt - 2_000) < 1e-6);
  });

  test('a price index outside Binance’s range refuses with kind policy, naming the symbol', async () => {
    for (const bad of ['0', '-1', 'NaN', '1e-300', '1e13']) {
      await assert.rejects(
        checkedIndex('BTCUSDT', index({ BTCUSDT: bad })),
        (e: ToolError) => e.kind === 'policy' && e.message.includes('BTCUSDT'),
        bad,
      );
    }
    assert.equal((await checkedIndex('BTCUSDT', index({ BTCUSDT: '0.00000001' }))).value, 1e-8);
  });
});
