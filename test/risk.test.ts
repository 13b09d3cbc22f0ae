/**
 * Projected risk in previews, against hand-worked examples: the pure model
 * (safety/risk.ts) and the preview of real calls on the sandbox.
 *
 * The sandbox account below holds 10,000 USDT, 0.1 BTC, 1 ETH and 5 BNB; with BTC at
 * 50,000, ETH at 2,500 and BNB at 500 its assets are 20,000 USDT and it owes nothing.
 * BUY 0.5 BTC MARKET with MARGIN_BUY costs 25,000 and borrows 15,000 USDT:
 *   after: assets 35,000, liabilities 15,000, level 35,000 / 15,000 = 2.33333333
 *   0.6 BTC held, none owed: level T where 35,000 + 0.6·(p − 50,000) = T·15,000
 *   margin call (1.3):  p = 50,000 + (19,500 − 35,000) / 0.6 = 24,166.66666667
 *   liquidation (1.1):  p = 50,000 + (16,500 − 35,000) / 0.6 = 19,166.66666667
 * BUY 1.6 BTC borrows 70,000: assets 90,000, liabilities 70,000, level 1.28571429:
 * below the margin-call level 1.3, which the summary says in words.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderFill, project, NO_DEBT_LEVEL } from '../src/safety/risk.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startServer, structured, toolsMd, type TestServer } from './helpers/mcp.js';

const near = (actual: string | number | undefined, expected: number, what: string, tolerance = 0.01) =>
  assert.ok(Math.abs(Number(actual) - expected) <= tolerance, `${what}: ${actual} ≠ ${expected}`);

describe('the risk model', () => {
  const account = {
    assetsUsdt: 20_000,
    liabilitiesUsdt: 0,
    base: { asset: 'BTC', held: 0.1, debt: 0 },
    quote: { asset: 'USDT', held: 10_000, debt: 0 },
    index: 50_000,
    quoteUsdt: 1,
    marginCallLevel: 1.3,
    liquidationLevel: 1.1,
  };

  test('a leveraged BUY: level after, margin-call and liquidation prices as worked by hand', () => {
    const r = project(account, orderFill('BUY', 0.5, 50_000, 15_000));
    assert.equal(r.marginLevel, NO_DEBT_LEVEL);
    near(r.marginLevelAfter, 35_000 / 15_000, 'level after', 1e-9);
    near(r.marginCallPrice, 24_166.666666, 'margin call price');
    near(r.liquidationPrice, 19_166.666666, 'liquidation price');
  });

  test('a short SELL: the prices are above the index', () => {
    // SELL 0.5 BTC borrowing 0.4: assets 20,000 + 0.4·50,000 = 40,000; owes 0.4 BTC = 20,000; holds 0 BTC.
    // 40,000 = T·(20,000 + 0.4·(p − 50,000))  →  margin call at p = 50,000 + (40,000 − 26,000) / 0.52
    const r = project(account, orderFill('SELL', 0.5, 50_000, 0.4));
    near(r.marginLevelAfter, 2, 'level after', 1e-9);
    near(r.marginCallPrice, 50_000 + 14_000 / 0.52, 'margin call price');
    near(r.liquidationPrice, 50_000 + 18_000 / 0.44, 'liquidation price');
  });

  test('no debt after the order: no price reaches a margin call, and it says why', () => {
    const r = project(account, orderFill('BUY', 0.1, 50_000, 0));
    assert.equal(r.marginLevelAfter, NO_DEBT_LEVEL);
    assert.equal(r.marginCallPrice, undefined);
    assert.match(r.unavailable.join(), /no debt after it/);
  });
});

async function withSandbox(fn: (s: TestServer) => Promise<void>) {
  const s = await startServer({
    toolsMd: toolsMd([
      { name: 'main', fields: { 'API Key': randomApiKey(), Secret: randomSecret(), Environment: 'Sandbox' } },
    ]),
    args: ['--confirm-all'],
  });
  try {
    const sb = await s.handle.hosts.sandboxInstance();
    sb.exchange.setPrice('BTCUSDT', '50000');
    sb.exchange.setPrice('ETHUSDT', '2500');
    sb.exchange.setPrice('BNBUSDT', '500');
    await fn(s);
  } finally {
    await s.close();
  }
}

describe('projected risk in the preview (sandbox)', () => {
  test('BUY 0.5 BTC on margin: the preview and its summary carry the hand-worked figures', () =>
    withSandbox(async (s) => {
      const p = structured(
        await s.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'MARKET',
          quantity: '0.5',
          sideEffectType: 'MARGIN_BUY',
        }),
      );
      assert.equal(p.status, 'confirmation_required');
      const v = p.preview;
      assert.equal(v.borrow.amount, '15000');
      near(v.marginLevelAfter, 2.3333333, 'marginLevelAfter', 1e-6);
      assert.equal(v.marginCallLevel, '1.3');
      assert.equal(v.liquidationLevel, '1.1');
      near(v.marginCallPrice, 24_166.67, 'marginCallPrice');
      near(v.liquidationPrice, 19_166.67, 'liquidationPrice');
      assert.match(p.summary, /margin level after it fills 2\.3333, liquidation \(BTCUSDT at 19,166\.6/);
      assert.ok(!(v.unavailable ?? []).some((u: string) => /Price/.test(u)), JSON.stringify(v.unavailable));
    }));

  test('an order that would put the account at margin call says so in words', () =>
    withSandbox(async (s) => {
      const p = structured(
        await s.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'MARKET',
          quantity: '1.6',
          sideEffectType: 'MARGIN_BUY',
        }),
      );
      near(p.preview.marginLevelAfter, 90_000 / 70_000, 'marginLevelAfter', 1e-6);
      assert.match(p.summary, /AT MARGIN CALL after it fills: margin level 1\.2857, margin call at 1\.3/);
    }));

  test('a borrow shows the level after it; a repay raises it', () =>
    withSandbox(async (s) => {
      // Borrowing 10,000 USDT: assets 30,000, liabilities 10,000 → level 3.
      const b = structured(
        await s.call('borrow_or_repay', {
          asset: 'USDT',
          isIsolated: 'FALSE',
          symbol: 'BTCUSDT',
          amount: '10000',
          type: 'BORROW',
        }),
      );
      near(b.preview.marginLevelAfter, 3, 'after a borrow', 1e-6);
      const done = await s.call('confirm_action', { token: b.token, confirmation: 'CONFIRM' });
      assert.ok(!done.isError);
      const r = structured(
        await s.call('borrow_or_repay', {
          asset: 'USDT',
          isIsolated: 'FALSE',
          symbol: 'BTCUSDT',
          amount: '5000',
          type: 'REPAY',
        }),
      );
      near(r.preview.marginLevel, 3, 'now', 1e-3);
      near(r.preview.marginLevelAfter, 25_000 / 5_000, 'after the repay', 1e-3);
    }));
});
