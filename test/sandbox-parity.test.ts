/**
 * The sandbox answers as Binance documents (issue 16): trailing stops (activation, the
 * trail, the trigger, the TRAILING_DELTA filter), partial fills against the depth model,
 * collateral transfers between the spot wallet, cross and isolated pairs, the listen
 * token, and the response fields Binance documents. Each test starts its own sandbox on
 * an ephemeral port and drives it with the project's own client.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BinanceClient, type HttpMethod, type SecurityType } from '../src/binance/client.js';
import { hmacSigner } from '../src/binance/signer.js';
import { ToolError } from '../src/errors.js';
import { parseDec } from '../src/sandbox/decimal.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Params = Record<string, string | number | boolean | undefined>;

const KEY = 'parity-key';
const SECRET = 'parity-secret';
const UNSIGNED: Record<string, SecurityType> = { 'margin/allAssets': 'MARKET_DATA', userListenToken: 'USER_STREAM' };

async function withSandbox(
  opts: SandboxOptions,
  body: (h: {
    sb: Sandbox;
    call: (m: HttpMethod, path: string, p?: Params) => Promise<Json>;
    fail: (m: HttpMethod, path: string, p?: Params) => Promise<number>;
  }) => Promise<void>,
) {
  const sb = await startSandbox({ seed: 7, ...opts });
  sb.addHmacKey(KEY, SECRET);
  const client = new BinanceClient(sb.url, { maxGetRetries: 0 });
  const call = async (method: HttpMethod, path: string, params: Params = {}) => {
    const res = await client.send(
      { method, path: `/sapi/v1/${path}`, security: UNSIGNED[path] ?? 'USER_DATA', weight: { amount: 1, per: 'IP' } },
      params,
      { apiKey: KEY, signer: hmacSigner(SECRET), accountKey: 't' },
    );
    return res.data as Json;
  };
  const fail = async (method: HttpMethod, path: string, params: Params = {}) => {
    try {
      await call(method, path, params);
    } catch (err) {
      assert.ok(err instanceof ToolError, String(err));
      return err.code as number;
    }
    return assert.fail(`${method} ${path} ${JSON.stringify(params)} should be refused`);
  };
  try {
    await body({ sb, call, fail });
  } finally {
    await client.close();
    await sb.close();
  }
}

const D = (s: string) => parseDec(s)!;
const crossFree = async (call: (m: HttpMethod, p: string) => Promise<Json>, asset: string) =>
  D(((await call('GET', 'margin/account')).userAssets as Json[]).find((a) => a.asset === asset)!.free);

test('trailing stop without stopPrice: tracks from placement, follows the high, fires 1% below it', () =>
  withSandbox({}, async ({ sb, call }) => {
    const placed = await call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '0.01',
      trailingDelta: 100,
    });
    const get = () => call('GET', 'margin/order', { symbol: 'BTCUSDT', orderId: placed.orderId });
    let o = await get();
    assert.equal(o.status, 'NEW');
    assert.equal(o.trailingDelta, 100);
    assert.ok(o.trailingTime > 0, 'tracking began at placement');
    sb.exchange.setPrice('BTCUSDT', '61000'); // new high
    sb.exchange.setPrice('BTCUSDT', '60400'); // 0.98 % below the high: not yet
    assert.equal((await get()).status, 'NEW');
    sb.exchange.setPrice('BTCUSDT', '60390'); // 61000 × 0.99
    o = await get();
    assert.equal(o.status, 'FILLED');
    assert.equal(o.executedQty, '0.01000000');
    assert.equal(o.cummulativeQuoteQty, '603.90000000');
  }));

test('trailing stop with stopPrice: starts tracking once the stop is reached, then trails the low (BUY)', () =>
  withSandbox({}, async ({ sb, call, fail }) => {
    const placed = await call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'STOP_LOSS',
      quantity: '0.01',
      stopPrice: '61000',
      trailingDelta: 200,
    });
    const get = () => call('GET', 'margin/order', { symbol: 'BTCUSDT', orderId: placed.orderId });
    assert.equal((await get()).trailingTime, -1, 'not tracking before the stop price');
    sb.exchange.setPrice('BTCUSDT', '59000');
    assert.equal((await get()).trailingTime, -1, 'a move the other way does not start it');
    sb.exchange.setPrice('BTCUSDT', '61000');
    assert.ok((await get()).trailingTime > 0, 'the stop price starts the trail');
    sb.exchange.setPrice('BTCUSDT', '60500'); // new low
    sb.exchange.setPrice('BTCUSDT', '61700'); // 1.98 % above the low
    assert.equal((await get()).status, 'NEW');
    sb.exchange.setPrice('BTCUSDT', '61710'); // 60500 × 1.02
    assert.equal((await get()).status, 'FILLED');
    // The TRAILING_DELTA filter, and the 2026-06-15 rule for a trailing pending leg.
    assert.equal(
      await fail('POST', 'margin/order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'STOP_LOSS',
        quantity: '0.01',
        trailingDelta: 5,
      }),
      -1013,
    );
    const oto = {
      symbol: 'BTCUSDT',
      workingType: 'LIMIT',
      workingSide: 'BUY',
      workingPrice: '50000',
      workingQuantity: '0.01',
      workingTimeInForce: 'GTC',
      pendingType: 'STOP_LOSS',
      pendingSide: 'SELL',
      pendingQuantity: '0.01',
      pendingTrailingDelta: 100,
    };
    assert.equal(await fail('POST', 'margin/order/oto', oto), -1102);
    const list = await call('POST', 'margin/order/oto', { ...oto, pendingPrice: '49000' });
    assert.equal(list.orderReports.length, 2);
    assert.equal(
      await fail('POST', 'margin/order/oto', { ...oto, pendingPrice: '49000', sideEffectType: 'AUTO_REPAY' }),
      -1100,
      'OTO takes no AUTO_REPAY',
    );
  }));

test(
  'partial fills: a market order walks the book, a limit order rests PARTIALLY_FILLED and fills as the price ' +
    'returns',
  () =>
    withSandbox({ depthUsdt: '1000' }, async ({ sb, call, fail }) => {
      const usdtBefore = await crossFree(call, 'USDT');
      const market = await call('POST', 'margin/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.05',
        newOrderRespType: 'FULL',
      });
      assert.equal(market.status, 'FILLED');
      assert.ok(market.fills.length >= 3, `${market.fills.length} fills`);
      const prices = market.fills.map((f: Json) => Number(f.price));
      assert.deepEqual(
        prices,
        [...prices].sort((a, b) => a - b),
        'each level is dearer',
      );
      for (const f of market.fills) {
        assert.ok(Number(f.qty) * Number(f.price) <= 1000.01, 'no fill exceeds one level');
        assert.equal(f.commission, (Number(f.qty) * 0.001).toFixed(8), 'a fee per fill');
      }
      const quote = market.fills.reduce((s: number, f: Json) => s + Number(f.qty) * Number(f.price), 0);
      assert.equal(market.executedQty, '0.05000000');
      assert.equal(Number(market.cummulativeQuoteQty).toFixed(4), quote.toFixed(4));
      const trades = await call('GET', 'margin/myTrades', { symbol: 'BTCUSDT', orderId: market.orderId });
      assert.equal(trades.length, market.fills.length, 'one trade per fill');
      assert.equal(
        (usdtBefore - (await crossFree(call, 'USDT'))) / 100_000_000n,
        BigInt(Math.floor(quote)),
        'paid what the fills cost',
      );

      // A limit order takes the levels up to its price, then rests.
      sb.exchange.setPrice('BTCUSDT', '60000');
      const limit = await call('POST', 'margin/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.05',
        price: '60040',
      });
      assert.equal(limit.status, 'PARTIALLY_FILLED');
      const first = Number(limit.executedQty);
      assert.ok(first > 0 && first < 0.05);
      const open = await call('GET', 'margin/openOrders', { symbol: 'BTCUSDT' });
      assert.equal(open.find((o: Json) => o.orderId === limit.orderId)?.status, 'PARTIALLY_FILLED');
      // Each price move that reaches it fills one level more, as a maker.
      sb.exchange.setPrice('BTCUSDT', '60040');
      const second = await call('GET', 'margin/order', { symbol: 'BTCUSDT', orderId: limit.orderId });
      assert.ok(Number(second.executedQty) > first);
      for (let i = 0; i < 3; i++) sb.exchange.setPrice('BTCUSDT', '60040');
      const done = await call('GET', 'margin/order', { symbol: 'BTCUSDT', orderId: limit.orderId });
      assert.equal(done.status, 'FILLED');
      const makers = (await call('GET', 'margin/myTrades', { symbol: 'BTCUSDT', orderId: limit.orderId })).filter(
        (t: Json) => t.isMaker,
      );
      assert.ok(makers.length >= 2);

      // FOK: all or nothing; IOC: what there is, the rest expires; a cancelled partial keeps its fills.
      const fok = await call('POST', 'margin/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'FOK',
        quantity: '0.05',
        price: '60040',
      });
      assert.deepEqual([fok.status, fok.executedQty], ['EXPIRED', '0.00000000']);
      const ioc = await call('POST', 'margin/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'IOC',
        quantity: '0.05',
        price: '60070',
      });
      assert.equal(ioc.status, 'EXPIRED');
      assert.ok(Number(ioc.executedQty) > 0 && Number(ioc.executedQty) < 0.05);
      const rest = await call('POST', 'margin/order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.05',
        price: '60000',
      });
      assert.equal(rest.status, 'PARTIALLY_FILLED');
      const cancelled = await call('DELETE', 'margin/order', { symbol: 'BTCUSDT', orderId: rest.orderId });
      assert.equal(cancelled.status, 'CANCELED');
      assert.equal(cancelled.executedQty, rest.executedQty);
      const btc = ((await call('GET', 'margin/account')).userAssets as Json[]).find((a) => a.asset === 'BTC')!;
      assert.equal(btc.locked, '0.00000000', 'the cancel released the rest');
      assert.equal(
        await fail('GET', 'margin/myTrades', { symbol: 'BTCUSDT', startTime: 1, endTime: 1 + 86_400_001 }),
        -1127,
      );
      assert.equal(
        await fail('GET', 'margin/allOrders', { symbol: 'BTCUSDT', startTime: 1, endTime: 1 + 86_400_001 }),
        -1127,
      );
      assert.equal(await fail('GET', 'margin/borrow-repay', { type: 'BORROW' }), -1102, 'txId or startTime');
      assert.equal(
        await fail('GET', 'margin/borrow-repay', { type: 'BORROW', startTime: 1, endTime: 1 + 8 * 86_400_000 }),
        -4047,
      );
      assert.equal(await fail('GET', 'margin/interestHistory', { startTime: 1, endTime: 1 + 31 * 86_400_000 }), -4047);
      assert.equal(await fail('GET', 'margin/transfer', { startTime: 1, endTime: 1 + 31 * 86_400_000 }), -4047);
    }),
);

test('collateral moves between the spot wallet, cross and isolated pairs, with histories', () =>
  withSandbox({}, async ({ sb, call, fail }) => {
    const spot = () => sb.exchange.state.accounts.main.spot.USDT;
    const spotBefore = spot();
    const crossBefore = await crossFree(call, 'USDT');
    const t = await call('POST', 'asset/transfer', { type: 'MAIN_MARGIN', asset: 'USDT', amount: '500' });
    assert.ok(t.tranId > 0);
    assert.equal(spotBefore - spot(), D('500'));
    assert.equal((await crossFree(call, 'USDT')) - crossBefore, D('500'));

    await call('POST', 'margin/isolated/account', { symbol: 'BTCUSDT' });
    const isoFree = async () =>
      D((await call('GET', 'margin/isolated/account', { symbols: 'BTCUSDT' })).assets[0].quoteAsset.free);
    const isoBefore = await isoFree();
    await call('POST', 'asset/transfer', {
      type: 'MARGIN_ISOLATEDMARGIN',
      asset: 'USDT',
      amount: '100',
      toSymbol: 'BTCUSDT',
    });
    assert.equal((await isoFree()) - isoBefore, D('100'));
    await call('POST', 'asset/transfer', {
      type: 'ISOLATEDMARGIN_MARGIN',
      asset: 'USDT',
      amount: '40',
      fromSymbol: 'BTCUSDT',
    });
    assert.equal((await isoFree()) - isoBefore, D('60'));
    assert.equal((await crossFree(call, 'USDT')) - crossBefore, D('440'));

    // Each margin account's own transfer history.
    const crossRows = (await call('GET', 'margin/transfer', {})).rows as Json[];
    assert.ok(
      crossRows.some(
        (r) =>
          r.type === 'ROLL_OUT' &&
          r.transTo === 'ISOLATED_MARGIN' &&
          r.toSymbol === 'BTCUSDT' &&
          r.amount === '100.00000000',
      ),
    );
    assert.ok(crossRows.every((r) => !('scope' in r)));
    const isoRows = (await call('GET', 'margin/transfer', { isolatedSymbol: 'BTCUSDT' })).rows as Json[];
    assert.ok(isoRows.some((r) => r.type === 'ROLL_IN' && r.transFrom === 'MARGIN' && r.amount === '100.00000000'));
    const universal = await call('GET', 'asset/transfer', { type: 'MARGIN_ISOLATEDMARGIN', toSymbol: 'BTCUSDT' });
    assert.equal(universal.total, 1);
    assert.deepEqual(Object.keys(universal.rows[0]).sort(), [
      'amount',
      'asset',
      'status',
      'timestamp',
      'toSymbol',
      'tranId',
      'type',
    ]);

    // Collateral that backs a debt stays; only the margin types exist; a pair must be named where it is isolated.
    await call('POST', 'margin/borrow-repay', { asset: 'USDT', isIsolated: 'FALSE', amount: '20000', type: 'BORROW' });
    const free = await crossFree(call, 'USDT');
    assert.equal(
      await fail('POST', 'asset/transfer', {
        type: 'MARGIN_MAIN',
        asset: 'USDT',
        amount: (Number(free) / 1e8).toFixed(2),
      }),
      -3020,
    );
    assert.equal(
      await fail('POST', 'asset/transfer', { type: 'MAIN_UMFUTURE', asset: 'USDT', amount: '1' }),
      -1100,
      'only the margin types',
    );
    assert.equal(
      await fail('POST', 'asset/transfer', { type: 'MARGIN_ISOLATEDMARGIN', asset: 'USDT', amount: '1' }),
      -1102,
    );
    assert.equal(
      await fail('POST', 'asset/transfer', {
        type: 'MARGIN_ISOLATEDMARGIN',
        asset: 'USDT',
        amount: '1',
        toSymbol: 'ETHUSDT',
      }),
      -3003,
      'a pair not enabled',
    );
  }));

test('listen token, and the fields Binance documents: flow symbol, delistTime, cancel-all icebergQty', () =>
  withSandbox({}, async ({ call, fail }) => {
    const before = Date.now();
    const token = await call('POST', 'userListenToken', { validity: 60_000 });
    assert.match(token.token, /^[A-Za-z0-9]{70}$/);
    assert.ok(token.expirationTime >= before + 60_000 && token.expirationTime <= Date.now() + 60_000);
    assert.equal(await fail('POST', 'userListenToken', { isIsolated: 'true' }), -1102);
    assert.equal(
      await fail('POST', 'userListenToken', { isIsolated: 'true', symbol: 'BTCUSDT' }),
      -3003,
      'the pair is not enabled',
    );
    assert.equal(await fail('POST', 'userListenToken', { validity: 86_400_001 }), -1130);

    const assets = await call('GET', 'margin/allAssets');
    assert.ok(assets.every((a: Json) => 'delistTime' in a));

    await call('POST', 'margin/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
    const flows = await call('GET', 'margin/capital-flow', { asset: 'BTC' });
    const buy = flows.find((f: Json) => f.type === 'BUY_INCOME');
    assert.equal(buy.symbol, 'BTCUSDT', 'a cross trade names its pair');
    assert.ok(flows.every((f: Json) => !('scope' in f)));

    await call('POST', 'margin/order/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.002',
      price: '70000',
      stopPrice: '50000',
      stopLimitPrice: '49000',
      stopLimitTimeInForce: 'GTC',
      stopIcebergQty: '0.001',
    });
    const cancelled = await call('DELETE', 'margin/openOrders', { symbol: 'BTCUSDT' });
    const reports = cancelled.flatMap((x: Json) => x.orderReports ?? []);
    assert.equal(reports.length, 2);
    for (const r of reports) for (const f of ['stopPrice', 'icebergQty']) assert.ok(f in r, `report has ${f}`);
    assert.equal(reports.find((r: Json) => r.type === 'STOP_LOSS_LIMIT').icebergQty, '0.00100000');
    assert.equal(
      await fail('POST', 'margin/exchange-small-liability', {
        assetNames: 'BTC,ETH,BNB,USDC,USDT,BTC,ETH,BNB,USDC,USDT,BTC',
      }),
      -1130,
    );
  }));
