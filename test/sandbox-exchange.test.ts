/**
 * The sandbox exchange, driven over HTTP by the project's own Binance client, as the
 * server drives it: a whole margin trading day (borrow, MARGIN_BUY, resting orders,
 * OCO, AUTO_REPAY, repay, histories), isolated margin, Binance's refusals, every one of
 * the 68 endpoints, special keys, liquidation and its loan, the three signing schemes,
 * weights and persistence. Each test starts its own sandbox on an ephemeral port.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BinanceClient, type HttpMethod, type SecurityType } from '../src/binance/client.js';
import { ed25519Signer, hmacSigner, rsaSigner, type Signer } from '../src/binance/signer.js';
import { ToolError } from '../src/errors.js';
import { parseDec } from '../src/sandbox/decimal.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';
import { CASES } from './helpers/sandbox-cases.js';

type Params = Record<string, string | number | boolean | undefined>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const KEY = 'sandbox-test-key';
const SECRET = 'sandbox-test-secret';

/** Security type per endpoint, as Binance documents it (MARKET_DATA and USER_STREAM are unsigned). */
const UNSIGNED: Record<string, SecurityType> = {
  'margin/crossMarginCollateralRatio': 'MARKET_DATA',
  'margin/allPairs': 'MARKET_DATA',
  'margin/isolated/allPairs': 'MARKET_DATA',
  'margin/allAssets': 'MARKET_DATA',
  'margin/delist-schedule': 'MARKET_DATA',
  'margin/limit-price-pairs': 'MARKET_DATA',
  'margin/list-schedule': 'MARKET_DATA',
  'margin/risk-based-liquidation-ratio': 'MARKET_DATA',
  'margin/restricted-asset': 'MARKET_DATA',
  'margin/leverageBracket': 'MARKET_DATA',
  'margin/priceIndex': 'MARKET_DATA',
  'margin/listen-key': 'USER_STREAM',
  userListenToken: 'USER_STREAM',
};

interface Harness {
  sb: Sandbox;
  call(method: HttpMethod, path: string, params?: Params, signer?: { apiKey: string; signer: Signer }): Promise<Json>;
  fail(
    method: HttpMethod,
    path: string,
    params?: Params,
    signer?: { apiKey: string; signer: Signer },
  ): Promise<ToolError>;
  close(): Promise<void>;
}

async function harness(opts: SandboxOptions = {}): Promise<Harness> {
  const sb = await startSandbox({ seed: 42, record: true, ...opts });
  sb.addHmacKey(KEY, SECRET);
  const client = new BinanceClient(sb.url, { maxGetRetries: 0 });
  const call = async (
    method: HttpMethod,
    path: string,
    params: Params = {},
    creds = { apiKey: KEY, signer: hmacSigner(SECRET) },
  ) => {
    const security = UNSIGNED[path] ?? 'USER_DATA';
    const res = await client.send(
      { method, path: `/sapi/v1/${path}`, security, weight: { amount: 1, per: 'IP' } },
      params,
      { ...creds, accountKey: 't' },
    );
    return res.data as Json;
  };
  return {
    sb,
    call,
    async fail(method, path, params, creds) {
      try {
        await call(method, path, params, creds);
      } catch (err) {
        assert.ok(err instanceof ToolError, String(err));
        return err;
      }
      assert.fail(`${method} ${path} succeeded but should have been refused`);
    },
    async close() {
      await client.close();
      await sb.close();
    },
  };
}

const D = (s: string) => {
  const v = parseDec(s.replace(/^-/, ''));
  assert.ok(v !== undefined, `not a decimal: ${s}`);
  return s.startsWith('-') ? -v : v;
};

/** Every balance line must add up: netAsset = free + locked − borrowed − interest. */
function assertConsistent(lines: Json[]): void {
  for (const a of lines) {
    assert.equal(D(a.netAsset), D(a.free) + D(a.locked) - D(a.borrowed) - D(a.interest), `netAsset of ${a.asset}`);
    for (const f of ['free', 'locked', 'borrowed', 'interest', 'netAsset'])
      assert.match(a[f], /^-?\d+\.\d{8}$/, `${a.asset}.${f} has 8 decimals`);
  }
}

const asset = (account: Json, name: string): Json => account.userAssets.find((a: Json) => a.asset === name);

test('a margin day: borrow, MARGIN_BUY, resting LIMIT, OCO, AUTO_REPAY, repay, and the histories', async () => {
  const h = await harness();
  try {
    let account = await h.call('GET', 'margin/account');
    assert.equal(account.marginLevel, '999.00000000');
    assert.equal(asset(account, 'USDT').free, '10000.00000000');
    assert.equal(asset(account, 'BTC').free, '0.10000000');

    // 1. Borrow 1000 USDT: the first hour's interest is charged at once (0.024 % / 24 of 1000).
    const { tranId } = await h.call('POST', 'margin/borrow-repay', {
      asset: 'USDT',
      isIsolated: 'FALSE',
      symbol: 'BTCUSDT',
      amount: '1000',
      type: 'BORROW',
    });
    assert.equal(typeof tranId, 'number');
    account = await h.call('GET', 'margin/account');
    assert.equal(asset(account, 'USDT').borrowed, '1000.00000000');
    assert.equal(asset(account, 'USDT').interest, '0.01000000');
    assert.notEqual(account.marginLevel, '999.00000000');

    // 2. MARGIN_BUY 0.3 BTC at 60000 (18000 USDT) borrows the 7000 USDT missing.
    const buy = await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.3',
      sideEffectType: 'MARGIN_BUY',
    });
    assert.equal(buy.status, 'FILLED');
    assert.equal(buy.marginBuyBorrowAsset, 'USDT');
    assert.equal(buy.marginBuyBorrowAmount, 7000);
    assert.equal(buy.fills[0].commissionAsset, 'BTC');
    assert.equal(buy.fills[0].commission, '0.00030000');
    account = await h.call('GET', 'margin/account');
    assertConsistent(account.userAssets);
    assert.equal(asset(account, 'USDT').free, '0.00000000');
    assert.equal(asset(account, 'USDT').borrowed, '8000.00000000');
    assert.equal(asset(account, 'BTC').free, '0.39970000');

    // 3. A LIMIT sell rests (its BTC locked), is found by its client id, and fills when the price crosses it.
    const tp = await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.1',
      price: '61000',
      newClientOrderId: 'tp-1',
    });
    assert.equal(tp.status, 'NEW');
    assert.equal(tp.clientOrderId, 'tp-1');
    account = await h.call('GET', 'margin/account');
    assert.equal(asset(account, 'BTC').locked, '0.10000000');
    assertConsistent(account.userAssets);
    assert.equal((await h.call('GET', 'margin/openOrders', { symbol: 'BTCUSDT' })).length, 1);
    h.sb.exchange.setPrice('BTCUSDT', '61500');
    const tpNow = await h.call('GET', 'margin/order', { symbol: 'BTCUSDT', origClientOrderId: 'tp-1' });
    assert.equal(tpNow.status, 'FILLED');
    assert.equal(tpNow.executedQty, '0.10000000');
    assert.equal(tpNow.cummulativeQuoteQty, '6100.00000000');
    account = await h.call('GET', 'margin/account');
    assert.equal(asset(account, 'BTC').locked, '0.00000000');
    assert.equal(asset(account, 'USDT').free, '6093.90000000'); // 6100 less 0.1 % commission

    // 4. An OCO: the limit leg fills when the price reaches it, and the stop leg expires.
    const oco = await h.call('POST', 'margin/order/oco', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.1',
      price: '63000',
      stopPrice: '59000',
      stopLimitPrice: '58900',
      stopLimitTimeInForce: 'GTC',
      listClientOrderId: 'bracket-1',
    });
    assert.equal(oco.contingencyType, 'OCO');
    assert.equal(oco.orderReports.length, 2);
    assert.deepEqual(oco.orderReports.map((r: Json) => r.type).sort(), ['LIMIT_MAKER', 'STOP_LOSS_LIMIT']);
    assert.equal((await h.call('GET', 'margin/openOrderList')).length, 1);
    h.sb.exchange.setPrice('BTCUSDT', '63100');
    const list = await h.call('GET', 'margin/orderList', { origClientOrderId: 'bracket-1' });
    assert.equal(list.listOrderStatus, 'ALL_DONE');
    const legs = await Promise.all(
      list.orders.map((o: Json) => h.call('GET', 'margin/order', { symbol: 'BTCUSDT', orderId: o.orderId })),
    );
    assert.deepEqual(legs.map((o) => `${o.type}:${o.status}`).sort(), [
      'LIMIT_MAKER:FILLED',
      'STOP_LOSS_LIMIT:EXPIRED',
    ]);
    assert.equal((await h.call('GET', 'margin/openOrderList')).length, 0);

    // 5. An AUTO_REPAY sale pays the USDT debt with its proceeds (interest first).
    const before = asset(await h.call('GET', 'margin/account'), 'USDT');
    const sale = await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.1',
      sideEffectType: 'AUTO_REPAY',
    });
    assert.equal(sale.status, 'FILLED');
    const after = asset(await h.call('GET', 'margin/account'), 'USDT');
    const proceeds = D('6310') - D('6.31');
    assert.equal(D(before.borrowed) + D(before.interest) - D(after.borrowed) - D(after.interest), proceeds);
    assert.equal(after.free, before.free);

    // 6. Two hours of interest, then repay everything that is owed.
    h.sb.exchange.accrueInterest(2);
    const owed = asset(await h.call('GET', 'margin/account'), 'USDT');
    assert.ok(D(owed.interest) > 0n);
    const total = D(owed.borrowed) + D(owed.interest);
    await h.call('POST', 'margin/borrow-repay', {
      asset: 'USDT',
      isIsolated: 'FALSE',
      symbol: 'BTCUSDT',
      amount: fmtDec(total),
      type: 'REPAY',
    });
    account = await h.call('GET', 'margin/account');
    assert.equal(asset(account, 'USDT').borrowed, '0.00000000');
    assert.equal(asset(account, 'USDT').interest, '0.00000000');
    assert.equal(account.marginLevel, '999.00000000');
    assertConsistent(account.userAssets);

    // 7. The histories tell the same story.
    const borrows = await h.call('GET', 'margin/borrow-repay', { type: 'BORROW', asset: 'USDT', startTime: 0 });
    assert.deepEqual(borrows.rows.map((r: Json) => `${r.type}:${r.principal}`).sort(), [
      'AUTO:7000.00000000',
      'MANUAL:1000.00000000',
    ]);
    const repays = await h.call('GET', 'margin/borrow-repay', { type: 'REPAY', startTime: 0 });
    assert.deepEqual(repays.rows.map((r: Json) => r.type).sort(), ['AUTO', 'MANUAL']);
    const interest = await h.call('GET', 'margin/interestHistory', { asset: 'USDT', size: 100 });
    assert.deepEqual([...new Set(interest.rows.map((r: Json) => r.type))].sort(), ['ON_BORROW', 'PERIODIC']);
    assert.equal(interest.total, 2 + 2);
    const flows = await h.call('GET', 'margin/capital-flow', { limit: 1000 });
    for (const type of [
      'TRANSFER',
      'BORROW',
      'BUY_EXPENSE',
      'BUY_INCOME',
      'SELL_INCOME',
      'TRADING_COMMISSION',
      'REPAY',
    ]) {
      assert.ok(
        flows.some((f: Json) => f.type === type),
        `capital flow has ${type}`,
      );
    }
    const transfers = await h.call('GET', 'margin/transfer', { type: 'ROLL_IN' });
    assert.equal(transfers.total, 4); // the demo wallet: USDT, BTC, ETH, BNB
    const trades = await h.call('GET', 'margin/myTrades', { symbol: 'BTCUSDT' });
    assert.equal(trades.length, 4);
    const orders = await h.call('GET', 'margin/allOrders', { symbol: 'BTCUSDT' });
    assert.equal(orders.length, 5);
  } finally {
    await h.close();
  }
});

const fmtDec = (v: bigint) => {
  const s = v.toString().padStart(9, '0');
  return `${s.slice(0, -8)}.${s.slice(-8)}`;
};

test('OTO places its pending order when the working order fills; OTOCO its OCO pair; cancel all', async () => {
  const h = await harness();
  try {
    const oto = await h.call('POST', 'margin/order/oto', {
      symbol: 'ETHUSDT',
      workingType: 'LIMIT',
      workingSide: 'BUY',
      workingPrice: '2900',
      workingQuantity: '0.5',
      workingTimeInForce: 'GTC',
      pendingType: 'LIMIT',
      pendingSide: 'SELL',
      pendingQuantity: '0.5',
      pendingPrice: '3100',
      pendingTimeInForce: 'GTC',
    });
    assert.equal(oto.contingencyType, 'OTO');
    assert.deepEqual(
      oto.orderReports.map((r: Json) => r.status),
      ['NEW', 'PENDING_NEW'],
    );
    h.sb.exchange.setPrice('ETHUSDT', '2890');
    const [working, pending] = await Promise.all(
      oto.orders.map((o: Json) => h.call('GET', 'margin/order', { symbol: 'ETHUSDT', orderId: o.orderId })),
    );
    assert.equal(working.status, 'FILLED');
    assert.equal(pending.status, 'NEW');
    h.sb.exchange.setPrice('ETHUSDT', '3150');
    assert.equal(
      (await h.call('GET', 'margin/order', { symbol: 'ETHUSDT', orderId: pending.orderId })).status,
      'FILLED',
    );

    const otoco = await h.call('POST', 'margin/order/otoco', {
      symbol: 'ETHUSDT',
      workingType: 'LIMIT',
      workingSide: 'BUY',
      workingPrice: '3100',
      workingQuantity: '0.2',
      workingTimeInForce: 'GTC',
      pendingSide: 'SELL',
      pendingQuantity: '0.2',
      pendingAboveType: 'LIMIT_MAKER',
      pendingAbovePrice: '3300',
      pendingBelowType: 'STOP_LOSS',
      pendingBelowStopPrice: '2900',
    });
    assert.equal(otoco.orderReports.length, 3);
    h.sb.exchange.setPrice('ETHUSDT', '3050'); // working fills, the pair goes live
    const open = await h.call('GET', 'margin/openOrders', { symbol: 'ETHUSDT' });
    assert.deepEqual(open.map((o: Json) => o.type).sort(), ['LIMIT_MAKER', 'STOP_LOSS']);
    h.sb.exchange.setPrice('ETHUSDT', '2850'); // the stop fires; the limit maker expires
    const legs = await h.call('GET', 'margin/allOrders', { symbol: 'ETHUSDT' });
    assert.deepEqual(
      legs.slice(-2).map((o: Json) => `${o.type}:${o.status}`),
      ['LIMIT_MAKER:EXPIRED', 'STOP_LOSS:FILLED'],
    );

    // Cancel all: a resting order and a whole OCO come back, the funds are unlocked.
    await h.call('POST', 'margin/order', {
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '2000',
    });
    await h.call('POST', 'margin/order/oco', {
      symbol: 'ETHUSDT',
      side: 'SELL',
      quantity: '0.5',
      price: '3500',
      stopPrice: '2500',
    });
    const cancelled = await h.call('DELETE', 'margin/openOrders', { symbol: 'ETHUSDT' });
    assert.equal(cancelled.length, 2);
    assert.equal(cancelled[0].status, 'CANCELED');
    assert.equal(cancelled[1].listOrderStatus, 'ALL_DONE');
    const account = await h.call('GET', 'margin/account');
    for (const a of account.userAssets) assert.equal(a.locked, '0.00000000', `${a.asset} unlocked`);
    assertConsistent(account.userAssets);
  } finally {
    await h.close();
  }
});

test('timeInForce, LIMIT_MAKER and MARGIN_BUY cancel: IOC and FOK expire, autoRepayAtCancel repays', async () => {
  const h = await harness();
  try {
    const ioc = await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'IOC',
      quantity: '0.01',
      price: '50000',
    });
    assert.equal(ioc.status, 'EXPIRED');
    const fok = await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'FOK',
      quantity: '0.01',
      price: '50000',
    });
    assert.equal(fok.status, 'EXPIRED');
    const taker = await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'IOC',
      quantity: '0.01',
      price: '61000',
    });
    assert.equal(taker.status, 'FILLED');
    assert.equal(taker.fills[0].price, '60000.00000000'); // a marketable limit fills at the market
    const maker = await h.fail('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT_MAKER',
      quantity: '0.01',
      price: '61000',
    });
    assert.equal(maker.code, -2010);
    assert.equal(maker.message, 'Order would immediately match and take.');

    // A resting MARGIN_BUY borrows at placement and gives it back when cancelled.
    const big = await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.5',
      price: '50000',
      sideEffectType: 'MARGIN_BUY',
      newClientOrderId: 'dip',
    });
    assert.ok(big.marginBuyBorrowAmount > 0);
    assert.ok(D(asset(await h.call('GET', 'margin/account'), 'USDT').borrowed) > 0n);
    const cancel = await h.call('DELETE', 'margin/order', { symbol: 'BTCUSDT', origClientOrderId: 'dip' });
    assert.equal(cancel.status, 'CANCELED');
    assert.equal(cancel.origClientOrderId, 'dip');
    const usdt = asset(await h.call('GET', 'margin/account'), 'USDT');
    assert.equal(usdt.borrowed, '0.00000000');
    assert.equal(usdt.locked, '0.00000000');
  } finally {
    await h.close();
  }
});

test('isolated margin: enable, borrow, trade with isIsolated=TRUE, repay, disable', async () => {
  const h = await harness();
  try {
    assert.deepEqual(await h.call('POST', 'margin/isolated/account', { symbol: 'BTCUSDT' }), {
      success: true,
      symbol: 'BTCUSDT',
    });
    let iso = await h.call('GET', 'margin/isolated/account', { symbols: 'BTCUSDT' });
    assert.equal(iso.assets[0].quoteAsset.free, '1000.00000000');
    assert.equal(iso.assets[0].baseAsset.free, '0.00000000');
    const transfers = await h.call('GET', 'margin/transfer', { isolatedSymbol: 'BTCUSDT' });
    assert.equal(transfers.rows[0].toSymbol, 'BTCUSDT');
    assert.equal(transfers.rows[0].transTo, 'ISOLATED_MARGIN');

    const max = await h.call('GET', 'margin/maxBorrowable', { asset: 'USDT', isolatedSymbol: 'BTCUSDT' });
    assert.equal(max.amount, '9000.00000000'); // equity 1000 × (10 − 1)
    const over = await h.fail('POST', 'margin/borrow-repay', {
      asset: 'USDT',
      isIsolated: 'TRUE',
      symbol: 'BTCUSDT',
      amount: '9001',
      type: 'BORROW',
    });
    assert.equal(over.code, -3006);
    await h.call('POST', 'margin/borrow-repay', {
      asset: 'USDT',
      isIsolated: 'TRUE',
      symbol: 'BTCUSDT',
      amount: '500',
      type: 'BORROW',
    });
    const buy = await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      isIsolated: 'TRUE',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '1200',
    });
    assert.equal(buy.isIsolated, true);
    assert.equal(buy.executedQty, '0.02000000');
    iso = await h.call('GET', 'margin/isolated/account');
    assert.equal(iso.assets[0].baseAsset.free, '0.01998000');
    assert.ok('totalAssetOfBtc' in iso);
    // The cross account did not move.
    assert.equal(asset(await h.call('GET', 'margin/account'), 'USDT').free, '10000.00000000');

    // Selling a quarter of it with AUTO_REPAY pays part of the debt: 0.005 × 60000 less commission.
    await h.call('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      isIsolated: 'TRUE',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.005',
      sideEffectType: 'AUTO_REPAY',
    });
    const repays = await h.call('GET', 'margin/borrow-repay', {
      type: 'REPAY',
      isolatedSymbol: 'BTCUSDT',
      startTime: 0,
    });
    assert.equal(repays.rows[0].amount, '299.70000000');
    const refused = await h.fail('DELETE', 'margin/isolated/account', { symbol: 'BTCUSDT' });
    assert.equal(refused.code, -3005); // a pair that owes cannot be disabled
    const q = (await h.call('GET', 'margin/isolated/account', { symbols: 'BTCUSDT' })).assets[0].quoteAsset;
    const owed = D(q.borrowed) + D(q.interest);
    assert.ok(owed > 0n);
    await h.call('POST', 'margin/borrow-repay', {
      asset: 'USDT',
      isIsolated: 'TRUE',
      symbol: 'BTCUSDT',
      amount: fmtDec(owed),
      type: 'REPAY',
    });
    assert.deepEqual(await h.call('DELETE', 'margin/isolated/account', { symbol: 'BTCUSDT' }), {
      success: true,
      symbol: 'BTCUSDT',
    });
    assert.deepEqual(await h.call('GET', 'margin/isolated/accountLimit'), { enabledAccount: 0, maxAccount: 10 });
    const noAccount = await h.fail('POST', 'margin/order', {
      symbol: 'BTCUSDT',
      isIsolated: 'TRUE',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.001',
    });
    assert.equal(noAccount.code, -3003);
  } finally {
    await h.close();
  }
});

test("Binance's refusals: codes and messages", async () => {
  const h = await harness();
  try {
    const cases: [HttpMethod, string, Params, number, string | RegExp][] = [
      [
        'POST',
        'margin/order',
        { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' },
        -2010,
        'Account has insufficient balance for requested action.',
      ],
      [
        'POST',
        'margin/borrow-repay',
        { asset: 'USDT', isIsolated: 'FALSE', amount: '1000000', type: 'BORROW' },
        -3006,
        'Your borrow amount has exceed maximum borrow amount.',
      ],
      [
        'POST',
        'margin/borrow-repay',
        { asset: 'USDT', isIsolated: 'FALSE', amount: '1', type: 'REPAY' },
        -3015,
        'Repay amount exceeds borrow amount.',
      ],
      ['GET', 'margin/priceIndex', { symbol: 'DOGEUSDT' }, -1121, 'Invalid symbol.'],
      [
        'POST',
        'margin/order',
        { symbol: 'BTCUSDT', type: 'MARKET', quantity: '0.01' },
        -1102,
        "Mandatory parameter 'side' was not sent, was empty/null, or malformed.",
      ],
      [
        'POST',
        'margin/order',
        { symbol: 'BTCUSDT', side: 'HOLD', type: 'MARKET', quantity: '0.01' },
        -1117,
        'Invalid side.',
      ],
      [
        'POST',
        'margin/order',
        { symbol: 'BTCUSDT', side: 'BUY', type: 'ICEBERG', quantity: '0.01' },
        -1116,
        'Invalid orderType.',
      ],
      [
        'POST',
        'margin/order',
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000015', price: '50000' },
        -1013,
        'Filter failure: LOT_SIZE',
      ],
      [
        'POST',
        'margin/order',
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '50000.005' },
        -1013,
        'Filter failure: PRICE_FILTER',
      ],
      [
        'POST',
        'margin/order',
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00005', price: '50000' },
        -1013,
        'Filter failure: NOTIONAL',
      ],
      [
        'POST',
        'margin/order',
        { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: '0.01', stopPrice: '61000' },
        -2010,
        'Order would trigger immediately.',
      ],
      [
        'POST',
        'margin/order/oco',
        { symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01', price: '59000', stopPrice: '58000' },
        -2010,
        'The relationship of the prices for the orders is not correct.',
      ],
      ['GET', 'margin/order', { symbol: 'BTCUSDT', orderId: 1 }, -2013, 'Order does not exist.'],
      ['DELETE', 'margin/order', { symbol: 'BTCUSDT', origClientOrderId: 'nope' }, -2011, 'Unknown order sent.'],
      ['PUT', 'margin/listen-key', { listenKey: 'nope' }, -1125, 'This listenKey does not exist.'],
      ['POST', 'margin/max-leverage', { maxLeverage: 10 }, -1130, /maxLeverage/],
      [
        'GET',
        'margin/capital-flow',
        { startTime: 0, endTime: 8 * 86_400_000 },
        -4047,
        'Time interval must be within 0-7 days',
      ],
      ['GET', 'margin/leverageBracket', {}, -1000, /no longer supported/],
      ['GET', 'margin/maxBorrowable', { asset: 'DOGE' }, -3027, 'Not a valid margin asset.'],
      ['POST', 'margin/liquidation-loan/repay', { asset: 'USDC', amount: '1' }, -3010, 'Repay not allowed.'],
    ];
    for (const [method, path, params, code, msg] of cases) {
      const err = await h.fail(method, path, params);
      assert.equal(err.code, code, `${method} ${path} ${JSON.stringify(params)}: ${err.message}`);
      if (typeof msg === 'string') assert.equal(err.message, msg);
      else assert.match(err.message, msg);
      assert.equal(err.fields.httpStatus, 400);
    }
    // Refusals change nothing.
    const account = await h.call('GET', 'margin/account');
    assert.equal(asset(account, 'USDT').borrowed, '0.00000000');
    assert.equal((await h.call('GET', 'margin/allOrders', { symbol: 'BTCUSDT' })).length, 0);
  } finally {
    await h.close();
  }
});

test('all 68 endpoints answer a valid call in their documented shape', async () => {
  const h = await harness();
  try {
    const ctx: Json = {};
    const seen = new Set<string>();
    for (const c of CASES) {
      // The liquidation-loan repay needs a loan: a simulated liquidation leaves one.
      if (c.path === 'margin/liquidation-loan/repay') h.sb.exchange.liquidation.simulateLiquidation('main', '50');
      const params = typeof c.params === 'function' ? c.params(ctx) : c.params;
      const data = await h.call(c.method, c.path, params);
      const where = `${c.method} ${c.path}`;
      seen.add(where);
      if (c.array) {
        assert.ok(Array.isArray(data), `${where} answers an array`);
        if (!c.mayBeEmpty) assert.ok(data.length > 0, `${where} is not empty`);
        for (const el of data as unknown as Json[])
          for (const f of c.fields) assert.ok(f in el, `${where}: element lacks ${f}`);
      } else {
        assert.ok(data && typeof data === 'object' && !Array.isArray(data), `${where} answers an object`);
        for (const f of c.fields) assert.ok(f in data, `${where} lacks ${f}`);
        if (c.fields.length === 0) assert.deepEqual(data, {}, `${where} answers {}`);
      }
      c.keep?.(data, ctx);
    }
    // leverageBracket is retired: it answers Binance's refusal, not a shape.
    const retired = await h.fail('GET', 'margin/leverageBracket');
    seen.add('GET margin/leverageBracket');
    assert.equal(retired.code, -1000);
    assert.equal(seen.size, 68);
    // Each call reached the sandbox once, signed where Binance signs.
    for (const c of CASES) {
      const reqs = h.sb.wire.requestsTo(c.method, `/sapi/v1/${c.path}`);
      assert.ok(reqs.length >= 1, `${c.method} ${c.path} recorded`);
      assert.equal(
        reqs[0].rawQuery.includes('signature='),
        !UNSIGNED[c.path],
        `${c.method} ${c.path} signed as Binance documents`,
      );
    }
  } finally {
    await h.close();
  }
});

test('a special key made through the API signs requests until it is deleted; RSA special keys too', async () => {
  const h = await harness();
  try {
    const created = await h.call('POST', 'margin/apiKey', { apiName: 'fast', ip: '127.0.0.1' });
    assert.equal(created.type, 'HMAC_SHA256');
    assert.equal(created.apiKey.length, 64);
    const special = { apiKey: created.apiKey, signer: hmacSigner(created.secretKey) };
    const account = await h.call('GET', 'margin/account', {}, special);
    assert.equal(account.created, true);
    const info = await h.call('GET', 'margin/apiKey', {}, special);
    assert.deepEqual([info.apiName, info.ip], ['fast', '127.0.0.1']);

    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsa = await h.call('POST', 'margin/apiKey', {
      apiName: 'rsa',
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    assert.equal(rsa.type, 'RSA');
    assert.equal(rsa.secretKey, undefined);
    assert.equal(
      (await h.call('GET', 'margin/account', {}, { apiKey: rsa.apiKey, signer: rsaSigner(privateKey) })).created,
      true,
    );
    assert.equal((await h.call('GET', 'margin/api-key-list')).length, 2);

    await h.call('DELETE', 'margin/apiKey', { apiName: 'fast' });
    const gone = await h.fail('GET', 'margin/account', {}, special);
    assert.equal(gone.code, -2015);

    // Exit Special Key Mode is refused while the account owes, and then deletes every key.
    await h.call('POST', 'margin/borrow-repay', { asset: 'USDT', isIsolated: 'FALSE', amount: '10', type: 'BORROW' });
    assert.equal((await h.fail('POST', 'margin/exit-special-key-mode')).code, -1020);
    const usdt = asset(await h.call('GET', 'margin/account'), 'USDT');
    await h.call('POST', 'margin/borrow-repay', {
      asset: 'USDT',
      isIsolated: 'FALSE',
      amount: fmtDec(D(usdt.borrowed) + D(usdt.interest)),
      type: 'REPAY',
    });
    await h.call('POST', 'margin/exit-special-key-mode');
    assert.deepEqual(await h.call('GET', 'margin/api-key-list'), []);
    assert.equal(
      (await h.fail('GET', 'margin/account', {}, { apiKey: rsa.apiKey, signer: rsaSigner(privateKey) })).code,
      -2015,
    );
  } finally {
    await h.close();
  }
});

test('RSA and Ed25519 keys generated with node:crypto sign for their account', async () => {
  const h = await harness();
  try {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ed = generateKeyPairSync('ed25519');
    h.sb.addPublicKey('rsa-key', rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'alice');
    h.sb.addPublicKey('ed-key', ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'bob');
    const alice = { apiKey: 'rsa-key', signer: rsaSigner(rsa.privateKey) };
    const bob = { apiKey: 'ed-key', signer: ed25519Signer(ed.privateKey) };
    await h.call(
      'POST',
      'margin/borrow-repay',
      { asset: 'BTC', isIsolated: 'FALSE', amount: '0.01', type: 'BORROW' },
      alice,
    );
    assert.equal(asset(await h.call('GET', 'margin/account', {}, alice), 'BTC').borrowed, '0.01000000');
    // Accounts are separate: bob (and main) owe nothing.
    assert.equal(asset(await h.call('GET', 'margin/account', {}, bob), 'BTC').borrowed, '0.00000000');
    assert.equal(asset(await h.call('GET', 'margin/account'), 'BTC').borrowed, '0.00000000');
    // A signature by the wrong key is refused.
    const wrong = await h.fail('GET', 'margin/account', {}, { apiKey: 'ed-key', signer: rsaSigner(rsa.privateKey) });
    assert.equal(wrong.code, -1022);
  } finally {
    await h.close();
  }
});

test('liquidation: positions closed and recorded, a loan left, repaid in part from the demo wallet', async () => {
  const h = await harness();
  try {
    assert.deepEqual(await h.call('GET', 'margin/liquidation-loan'), {
      asset: 'USDC',
      amount: '0.00000000',
      repaidAmount: '0.00000000',
      remainingAmount: '0.00000000',
    });
    await h.call('POST', 'margin/borrow-repay', { asset: 'BTC', isIsolated: 'FALSE', amount: '0.2', type: 'BORROW' });
    h.sb.exchange.liquidation.simulateLiquidation('main', '250');
    const recs = await h.call('GET', 'margin/forceLiquidationRec');
    assert.ok(recs.total > 0);
    assert.ok(recs.rows.some((r: Json) => r.side === 'SELL' && r.symbol === 'ETHUSDT'));
    const flows = await h.call('GET', 'margin/capital-flow', { limit: 1000 });
    assert.ok(flows.some((f: Json) => f.type === 'SELL_LIQUIDATION'));
    assert.ok(flows.some((f: Json) => f.type === 'REPAY_LIQUIDATION' && f.asset === 'BTC'));
    const account = await h.call('GET', 'margin/account');
    for (const a of account.userAssets) assert.equal(a.netAsset, '0.00000000', `${a.asset} liquidated`);

    assert.deepEqual(await h.call('GET', 'margin/liquidation-loan'), {
      asset: 'USDC',
      amount: '250.00000000',
      repaidAmount: '0.00000000',
      remainingAmount: '250.00000000',
    });
    const repay = await h.call('POST', 'margin/liquidation-loan/repay', { asset: 'USDC', amount: '100' });
    assert.equal(repay.status, 'SUCCESS');
    assert.equal(repay.amount, '100.00000000');
    const tooMuch = await h.fail('POST', 'margin/liquidation-loan/repay', { asset: 'USDC', amount: '151' });
    assert.equal(tooMuch.code, -3015);
    assert.equal((await h.call('GET', 'margin/liquidation-loan')).remainingAmount, '150.00000000');
    const history = await h.call('GET', 'margin/liquidation-loan/repay-history');
    assert.equal(history.total, 1);
    assert.equal(history.rows[0].repayId, repay.repayId);
  } finally {
    await h.close();
  }
});

test('small liabilities are listed and exchanged; listen keys are kept and closed', async () => {
  const h = await harness();
  try {
    await h.call('POST', 'margin/borrow-repay', { asset: 'BNB', isIsolated: 'FALSE', amount: '0.01', type: 'BORROW' });
    const small = await h.call('GET', 'margin/exchange-small-liability');
    assert.deepEqual(
      small.map((s: Json) => s.asset),
      ['BNB'],
    );
    assert.equal(typeof small[0].liabilityQty, 'number');
    await h.call('POST', 'margin/exchange-small-liability', { assetNames: 'BNB' });
    const bnb = asset(await h.call('GET', 'margin/account'), 'BNB');
    assert.equal(bnb.borrowed, '0.00000000');
    assert.equal(bnb.free, '5.01000000'); // the borrowed BNB stays; the debt was paid in USDT
    const history = await h.call('GET', 'margin/exchange-small-liability-history', { current: 1, size: 10 });
    assert.equal(history.rows[0].targetAsset, 'USDT');

    const { listenKey } = await h.call('POST', 'margin/listen-key');
    assert.equal((await h.call('POST', 'margin/listen-key')).listenKey, listenKey); // the same while open
    assert.deepEqual(await h.call('PUT', 'margin/listen-key', { listenKey }), {});
    await h.call('DELETE', 'margin/listen-key', { listenKey });
    assert.equal((await h.fail('PUT', 'margin/listen-key', { listenKey })).code, -1125);
  } finally {
    await h.close();
  }
});

test('weights: used-weight headers, 1500 for borrowing orders, 429 once the minute is spent', async () => {
  const sb = await startSandbox({ ipWeightLimit: 25 });
  const client = new BinanceClient(sb.url);
  try {
    sb.addHmacKey(KEY, SECRET);
    const get = (path: string) => fetch(`${sb.url}${path}`, { headers: { 'x-mbx-apikey': KEY } });
    const first = await get('/sapi/v1/margin/priceIndex?symbol=BTCUSDT');
    assert.equal(first.headers.get('x-sapi-used-ip-weight-1m'), '10');
    assert.equal(
      (await get('/sapi/v1/margin/priceIndex?symbol=BTCUSDT')).headers.get('x-sapi-used-ip-weight-1m'),
      '20',
    );
    const third = await get('/sapi/v1/margin/priceIndex?symbol=BTCUSDT');
    assert.equal(third.status, 429);
    assert.equal(((await third.json()) as Json).code, -1003);
    assert.ok(Number(third.headers.get('retry-after')) > 0);

    // UID weights: an order weighs 6, one that may borrow 1500.
    const creds = { apiKey: KEY, signer: hmacSigner(SECRET), accountKey: 't' };
    const order = {
      method: 'POST' as const,
      path: '/sapi/v1/margin/order',
      security: 'TRADE' as const,
      weight: { amount: 6, per: 'UID' as const },
    };
    await client.send(order, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }, creds);
    await client.send(
      order,
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', sideEffectType: 'MARGIN_BUY' },
      creds,
    );
    assert.equal(client.limiter.snapshot().usedUidWeight1m.t, 1506);
    // The recorder keeps headers (the API key): a sandbox records only when a test asks.
    assert.ok(sb.wire.stats.requests >= 5);
    assert.equal(sb.wire.requests.length, 0, 'nothing recorded by default');
  } finally {
    await client.close();
    await sb.close();
  }
});

test('statePath: the exchange is saved on close and loaded at the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
  const statePath = join(dir, 'sandbox.json');
  try {
    let h = await harness({ statePath });
    await h.call('POST', 'margin/borrow-repay', { asset: 'ETH', isIsolated: 'FALSE', amount: '0.5', type: 'BORROW' });
    await h.call('POST', 'margin/order', {
      symbol: 'ETHUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '1',
      price: '3500',
      newClientOrderId: 'kept',
    });
    h.sb.exchange.setPrice('ETHUSDT', '3210.5');
    await h.close();

    h = await harness({ statePath });
    const eth = asset(await h.call('GET', 'margin/account'), 'ETH');
    assert.equal(eth.borrowed, '0.50000000');
    assert.equal(eth.locked, '1.00000000');
    assert.equal(h.sb.exchange.getPrice('ETHUSDT'), '3210.50000000');
    assert.equal((await h.call('GET', 'margin/order', { symbol: 'ETHUSDT', origClientOrderId: 'kept' })).status, 'NEW');
    // Not funded twice: still one ROLL_IN per demo asset.
    assert.equal((await h.call('GET', 'margin/transfer', { type: 'ROLL_IN' })).total, 4);
    await h.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("'walk' prices move deterministically from the seed; 'fixed' prices stay", async () => {
  let now = 1_700_000_000_000;
  const { SandboxExchange } = await import('../src/sandbox/exchange.js');
  const walk = (seed: number) => {
    now = 1_700_000_000_000;
    const ex = new SandboxExchange({ seed, priceMode: 'walk', now: () => now });
    now += 30_000;
    ex.tick();
    return ex.getPrice('BTCUSDT');
  };
  const a = walk(5);
  assert.equal(walk(5), a);
  assert.notEqual(a, '60000.00000000');
  assert.ok(Math.abs(Number(a) / 60000 - 1) < 0.05);
  const fixed = new SandboxExchange({ seed: 5, now: () => now });
  now += 60_000;
  fixed.tick();
  assert.equal(fixed.getPrice('BTCUSDT'), '60000.00000000');
});
