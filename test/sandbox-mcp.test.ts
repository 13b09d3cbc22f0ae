/**
 * The sandbox end to end through MCP, as an agent uses it: a margin trading day
 * (borrow, MARGIN_BUY, a resting limit order filled by a price move, an OCO, an
 * AUTO_REPAY sale, repaying everything, histories), isolated margin, Binance's
 * refusal codes, and every endpoint tool answering a valid call in its documented shape.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CATALOG, endpointId } from '../src/catalog/index.js';
import { errorOf, startServer, structured, type TestServer } from './helpers/mcp.js';
import { CASES, type Json } from './helpers/sandbox-cases.js';

async function sandboxServer(): Promise<TestServer> {
  return startServer({ args: ['--sandbox'] });
}

const num = (s: string) => Number(s);
const close = (a: number, b: number, eps = 1e-8) => Math.abs(a - b) <= eps;

async function data(s: TestServer, tool: string, args: Record<string, unknown> = {}): Promise<any> {
  const r = await s.call(tool, args);
  assert.ok(!r.isError, `${tool}: ${JSON.stringify(r.structuredContent)}`);
  const body = structured(r);
  assert.equal(body.environment, 'sandbox');
  return body.data;
}

function assetOf(account: Json, asset: string) {
  const a = account.userAssets.find((x: Json) => x.asset === asset);
  return {
    free: num(a.free),
    locked: num(a.locked),
    borrowed: num(a.borrowed),
    interest: num(a.interest),
    netAsset: num(a.netAsset),
  };
}

function consistent(account: Json) {
  for (const a of account.userAssets) {
    const net = num(a.free) + num(a.locked) - num(a.borrowed) - num(a.interest);
    assert.ok(
      close(net, num(a.netAsset), 1e-6),
      `${a.asset}: free+locked-borrowed-interest = ${net}, netAsset ${a.netAsset}`,
    );
  }
}

describe('a margin trading day in the sandbox, through MCP', () => {
  test('borrow, buy on margin, rest, fill, OCO, auto-repay, repay all, histories', async () => {
    const s = await sandboxServer();
    try {
      const sb = await s.handle.hosts.sandboxInstance();
      let acc = await data(s, 'get_cross_margin_account');
      const usdt0 = assetOf(acc, 'USDT');
      const btc0 = assetOf(acc, 'BTC');

      // 1. borrow 1000 USDT
      const borrow = await data(s, 'borrow_or_repay', {
        asset: 'USDT',
        isIsolated: 'FALSE',
        symbol: 'BTCUSDT',
        amount: '1000',
        type: 'BORROW',
      });
      assert.ok(borrow.tranId);
      acc = await data(s, 'get_cross_margin_account');
      assert.equal(assetOf(acc, 'USDT').borrowed, 1000);
      assert.equal(assetOf(acc, 'USDT').free, usdt0.free + 1000);
      consistent(acc);

      // 2. a MARGIN_BUY market order bigger than the free USDT borrows the rest
      const spend = usdt0.free + 1000 + 600; // 600 USDT more than free
      const qty = (spend / 60000).toFixed(5);
      const buy = await data(s, 'place_order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: qty,
        sideEffectType: 'MARGIN_BUY',
      });
      assert.equal(buy.status, 'FILLED');
      assert.match(buy.clientOrderId, /^agent-[A-Za-z0-9]{18}$/);
      acc = await data(s, 'get_cross_margin_account');
      consistent(acc);
      const usdt1 = assetOf(acc, 'USDT');
      const shortfall = Number(qty) * 60000 - (usdt0.free + 1000);
      assert.ok(
        close(usdt1.borrowed, 1000 + shortfall, 1e-6),
        `borrowed ${usdt1.borrowed}, expected ${1000 + shortfall}`,
      );
      assert.ok(close(usdt1.free, 0, 1e-6), 'all free USDT was spent');
      const fee = Number(buy.fills[0].commission);
      assert.ok(close(assetOf(acc, 'BTC').free, btc0.free + Number(qty) - fee, 1e-8));
      const trades = await data(s, 'get_my_trades', { symbol: 'BTCUSDT' });
      assert.equal(trades.length, 1);
      assert.equal(trades[0].orderId, buy.orderId);

      // 3. a limit sell rests, locks its BTC, and fills when the price crosses it
      const rest = await data(s, 'place_order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.05',
        price: '65000',
        newClientOrderId: 'tp-1',
      });
      assert.equal(rest.status, 'NEW');
      assert.equal(rest.clientOrderId, 'agent-tp-1');
      acc = await data(s, 'get_cross_margin_account');
      assert.equal(assetOf(acc, 'BTC').locked, 0.05);
      consistent(acc);
      assert.equal((await data(s, 'get_order', { symbol: 'BTCUSDT', origClientOrderId: 'agent-tp-1' })).status, 'NEW');
      sb.exchange.setPrice('BTCUSDT', '65000');
      assert.equal(
        (await data(s, 'get_order', { symbol: 'BTCUSDT', origClientOrderId: 'agent-tp-1' })).status,
        'FILLED',
      );
      assert.equal((await data(s, 'get_open_orders', { symbol: 'BTCUSDT' })).length, 0);

      // 4. an OCO: the limit leg fills, the stop leg is cancelled
      const oco = await data(s, 'place_oco_order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.05',
        price: '70000',
        stopPrice: '55000',
        stopLimitPrice: '54000',
        stopLimitTimeInForce: 'GTC',
      });
      assert.match(oco.listClientOrderId, /^agent-/);
      sb.exchange.setPrice('BTCUSDT', '70000');
      const list = await data(s, 'get_order_list', { origClientOrderId: oco.listClientOrderId });
      assert.equal(list.listOrderStatus, 'ALL_DONE');
      const statuses = await Promise.all(
        list.orders.map((o: Json) =>
          data(s, 'get_order', { symbol: 'BTCUSDT', orderId: o.orderId }).then((d) => d.status),
        ),
      );
      assert.deepEqual([...statuses].sort(), ['EXPIRED', 'FILLED']);

      // 5. an AUTO_REPAY sale repays debt from its proceeds
      acc = await data(s, 'get_cross_margin_account');
      const debtBefore = assetOf(acc, 'USDT').borrowed;
      await data(s, 'place_order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'MARKET',
        quantity: '0.01',
        sideEffectType: 'AUTO_REPAY',
      });
      acc = await data(s, 'get_cross_margin_account');
      assert.ok(assetOf(acc, 'USDT').borrowed < debtBefore, 'AUTO_REPAY reduced the debt');
      consistent(acc);

      // 6. repay the rest and the interest
      sb.exchange.accrueInterest(2);
      acc = await data(s, 'get_cross_margin_account');
      const owed = assetOf(acc, 'USDT');
      assert.ok(owed.interest > 0, 'interest accrued');
      await data(s, 'borrow_or_repay', {
        asset: 'USDT',
        isIsolated: 'FALSE',
        symbol: 'BTCUSDT',
        amount: (owed.borrowed + owed.interest).toFixed(8),
        type: 'REPAY',
      });
      acc = await data(s, 'get_cross_margin_account');
      assert.equal(assetOf(acc, 'USDT').borrowed, 0);
      assert.equal(assetOf(acc, 'USDT').interest, 0);
      assert.equal(acc.totalLiabilityOfBtc, '0.00000000');
      consistent(acc);

      // 7. the histories show each step
      const borrows = await data(s, 'get_borrow_repay_history', { type: 'BORROW', startTime: 0 });
      assert.ok(borrows.rows.length >= 2, 'the manual borrow and the MARGIN_BUY borrow');
      const repays = await data(s, 'get_borrow_repay_history', { type: 'REPAY', startTime: 0 });
      assert.ok(repays.rows.length >= 2, 'AUTO_REPAY and the manual repay');
      assert.ok((await data(s, 'get_interest_history')).rows.length >= 1);
      const flow = await data(s, 'get_capital_flow', { asset: 'USDT' });
      for (const type of ['BORROW', 'REPAY', 'BUY_EXPENSE', 'SELL_INCOME'])
        assert.ok(
          flow.some((f: Json) => f.type === type),
          `capital flow has ${type}`,
        );
      assert.equal((await data(s, 'get_all_orders', { symbol: 'BTCUSDT' })).length, 5);
    } finally {
      await s.close();
    }
  });

  test('isolated margin: enable, borrow and trade in it, repay, disable', async () => {
    const s = await sandboxServer();
    try {
      await data(s, 'enable_isolated_account', { symbol: 'ETHUSDT' });
      let iso = await data(s, 'get_isolated_account', { symbols: ['ETHUSDT'] });
      assert.equal(iso.assets[0].symbol, 'ETHUSDT');
      const quoteFree = num(iso.assets[0].quoteAsset.free);
      assert.ok(quoteFree > 0, 'funded from the demo wallet');
      await data(s, 'borrow_or_repay', {
        asset: 'USDT',
        isIsolated: 'TRUE',
        symbol: 'ETHUSDT',
        amount: '100',
        type: 'BORROW',
      });
      const order = await data(s, 'place_order', {
        symbol: 'ETHUSDT',
        isIsolated: 'TRUE',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.1',
      });
      assert.equal(order.isIsolated, true);
      iso = await data(s, 'get_isolated_account', { symbols: 'ETHUSDT' });
      assert.equal(num(iso.assets[0].quoteAsset.borrowed), 100);
      const over = await s.call('disable_isolated_account', { symbol: 'ETHUSDT' });
      assert.equal(over.isError, true, 'an account with debt cannot be disabled');
      await data(s, 'place_order', {
        symbol: 'ETHUSDT',
        isIsolated: 'TRUE',
        side: 'SELL',
        type: 'MARKET',
        quantity: '0.0999',
        sideEffectType: 'AUTO_REPAY',
      });
      iso = await data(s, 'get_isolated_account', { symbols: 'ETHUSDT' });
      const q = iso.assets[0].quoteAsset;
      if (num(q.borrowed) + num(q.interest) > 0)
        await data(s, 'borrow_or_repay', {
          asset: 'USDT',
          isIsolated: 'TRUE',
          symbol: 'ETHUSDT',
          amount: (num(q.borrowed) + num(q.interest)).toFixed(8),
          type: 'REPAY',
        });
      await data(s, 'disable_isolated_account', { symbol: 'ETHUSDT' });
      const gone = await s.call('get_max_borrowable', { asset: 'USDT', isolatedSymbol: 'ETHUSDT' });
      assert.equal(errorOf(gone).kind, 'binance');
    } finally {
      await s.close();
    }
  });

  test("insufficient balance and an over-limit borrow give Binance's codes", async () => {
    const s = await sandboxServer();
    try {
      const poor = await s.call('place_order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '10',
        price: '60000',
      });
      assert.equal(errorOf(poor).kind, 'binance');
      assert.equal(errorOf(poor).code, -2010);
      assert.equal(errorOf(poor).message, 'Account has insufficient balance for requested action.');
      const greedy = await s.call('borrow_or_repay', {
        asset: 'USDT',
        isIsolated: 'FALSE',
        symbol: 'BTCUSDT',
        amount: '10000000',
        type: 'BORROW',
      });
      assert.equal(errorOf(greedy).code, -3006);
      const unknown = await s.call('get_order', { symbol: 'BTCUSDT', orderId: 999999 });
      assert.equal(errorOf(unknown).code, -2013);
    } finally {
      await s.close();
    }
  });
});

describe('every endpoint tool through MCP against the sandbox', () => {
  test('a valid call of each of the 68 tools answers in the documented shape', async () => {
    const s = await sandboxServer();
    try {
      const sb = await s.handle.hosts.sandboxInstance();
      const ctx: Json = {};
      const seen = new Set<string>();
      for (const c of CASES) {
        const id = `${c.method} /sapi/v1/${c.path}`;
        const tool = CATALOG.find((e) => endpointId(e) === id)!;
        assert.ok(tool, id);
        if (c.path === 'margin/liquidation-loan/repay') sb.exchange.liquidation.simulateLiquidation('main', '50');
        const raw = { ...(typeof c.params === 'function' ? c.params(ctx) : c.params) } as Json;
        // Our client ids carry the agent- prefix; a lookup names the full id.
        for (const k of ['origClientOrderId', 'listClientOrderId'])
          if (raw[k] && c.method !== 'POST') raw[k] = `agent-${raw[k]}`;
        if (tool.name === 'get_next_hourly_interest_rate') raw.isIsolated = raw.isIsolated === 'TRUE';
        const d = await data(s, tool.name, raw);
        seen.add(id);
        if (c.array) {
          assert.ok(Array.isArray(d), `${tool.name} answers an array`);
          if (!c.mayBeEmpty) assert.ok(d.length > 0, `${tool.name} is not empty`);
          for (const el of d) for (const f of c.fields) assert.ok(f in el, `${tool.name}: element lacks ${f}`);
        } else {
          for (const f of c.fields) assert.ok(f in d, `${tool.name} lacks ${f}`);
        }
        c.keep?.(d, ctx);
      }
      const retired = await s.call('get_leverage_brackets');
      assert.match(errorOf(retired).message, /retired/i);
      seen.add('GET /sapi/v1/margin/leverageBracket');
      assert.equal(seen.size, 68);
    } finally {
      await s.close();
    }
  });
});

describe('--sandbox-state', () => {
  test('keeps the sandbox’s accounts and orders across a restart', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'bmm-sbstate-'));
    const args = ['--sandbox', '--sandbox-state', join(dir, 'sandbox.json')];
    try {
      const first = await startServer({ args });
      const placed = await data(first, 'place_order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '50000',
        newClientOrderId: 'kept-1',
      });
      await data(first, 'borrow_or_repay', {
        asset: 'USDT',
        isIsolated: 'FALSE',
        symbol: 'BTCUSDT',
        amount: '123',
        type: 'BORROW',
      });
      await first.close();

      const second = await startServer({ args });
      try {
        const order = await data(second, 'get_order', { symbol: 'BTCUSDT', origClientOrderId: 'agent-kept-1' });
        assert.equal(order.orderId, placed.orderId);
        assert.equal(order.status, 'NEW');
        const acc = await data(second, 'get_cross_margin_account');
        assert.equal(assetOf(acc, 'USDT').borrowed, 123);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
