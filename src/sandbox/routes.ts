/**
 * The 65 margin endpoints of the sandbox: each reads its parameters as Binance does,
 * calls the exchange, and answers in Binance's documented shape. Security types come
 * from Binance's docs, weights from Binance's docs or its connector (endpoint per
 * endpoint; orders weigh 1500 instead of 6 when they may borrow).
 */
import { dec, div, fmt, fmtShort, fromInt, mul, toNumber, ZERO } from './decimal.js';
import { errors } from './errors.js';
import { MAX_ISOLATED_ACCOUNTS, netOf, type Balance, type Row, type SandboxExchange, type Scope } from './exchange.js';
import { ASSETS, assetInfo, ASSET_NAMES, hourlyRate, symbolInfo, SYMBOLS } from './market.js';
import { ORDER_TYPES, type OrderSpec, type Placement, type SideEffect, type TimeInForce } from './orders.js';
import { Params } from './params.js';
import * as shape from './shapes.js';
import type { Route, RouteContext, SandboxSecurity, SandboxWire } from './wire.js';

const SIDES = ['BUY', 'SELL'] as const;
const TIFS = ['GTC', 'IOC', 'FOK'] as const;
const SIDE_EFFECTS = ['NO_SIDE_EFFECT', 'MARGIN_BUY', 'AUTO_REPAY', 'AUTO_BORROW_REPAY'] as const;
const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
const STP_MODES = ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'NONE'] as const;
const TRUE_FALSE = ['TRUE', 'FALSE'] as const;
const DAY_MS = 86_400_000;

/** Binance's example risk bars (GET tradeCoeff); the sandbox's margin level statuses use them too. */
const BARS = { normalBar: '1.5', marginCallBar: '1.3', forceLiquidationBar: '1.1' };

type Handler = (p: Params, ctx: RouteContext) => unknown;
type Weight = number | ((p: Record<string, string>) => number);

/** Orders that may borrow weigh 1500 (UID) since 2026-05-07; the others 6. */
const orderWeight = (p: Record<string, string>) => (p.sideEffectType === 'MARGIN_BUY' || p.sideEffectType === 'AUTO_BORROW_REPAY' ? 1500 : 6);

export interface RouteHooks {
  /** After every request that may have changed state (persistence). */
  afterWrite?: () => void;
}

export function registerRoutes(wire: SandboxWire, ex: SandboxExchange, hooks: RouteHooks = {}): void {
  const add = (method: string, path: string, security: SandboxSecurity, weight: Weight, per: 'IP' | 'UID', handle: Handler) => {
    const route: Route = {
      method,
      path: `/sapi/v1/${path}`,
      security,
      weight,
      per,
      handle: (ctx) => {
        ex.tick();
        const result = handle(new Params(ctx.params, ctx.accountId ?? ''), ctx);
        if (method !== 'GET') hooks.afterWrite?.();
        return result;
      },
    };
    wire.addRoute(route);
  };
  const account = (p: Params) => ex.account(p.accountId);

  // ------------------------------------------------------------------ account

  add('GET', 'margin/account', 'USER_DATA', 10, 'IP', (p) => crossAccount(ex, p.accountId));
  add('GET', 'margin/isolated/account', 'USER_DATA', 10, 'IP', (p) => isolatedAccounts(ex, p));
  add('POST', 'margin/isolated/account', 'TRADE', 300, 'UID', (p) => {
    const symbol = p.symbol();
    ex.enableIsolated(p.accountId, symbol);
    return { success: true, symbol };
  });
  add('DELETE', 'margin/isolated/account', 'TRADE', 300, 'UID', (p) => {
    const symbol = p.symbol();
    ex.disableIsolated(p.accountId, symbol);
    return { success: true, symbol };
  });
  add('GET', 'margin/isolated/accountLimit', 'USER_DATA', 1, 'IP', (p) => ({ enabledAccount: ex.enabledIsolatedCount(p.accountId), maxAccount: MAX_ISOLATED_ACCOUNTS }));
  add('POST', 'margin/max-leverage', 'USER_DATA', 3000, 'UID', (p) => {
    const leverage = p.reqInt('maxLeverage');
    ex.setMaxLeverage(p.accountId, leverage);
    return { success: true };
  });
  add('GET', 'bnbBurn', 'USER_DATA', 1, 'IP', (p) => ({ ...account(p).bnbBurn }));
  add('GET', 'margin/tradeCoeff', 'USER_DATA', 10, 'IP', () => ({ ...BARS }));
  add('GET', 'margin/capital-flow', 'USER_DATA', 100, 'IP', (p) => {
    const start = p.int('startTime');
    const end = p.int('endTime');
    if (start !== undefined && end !== undefined && (end - start > 7 * DAY_MS || end < start)) throw errors.timeInterval(7);
    const asset = p.opt('asset');
    const symbol = p.optSymbol();
    const type = p.opt('type');
    const fromId = p.int('fromId');
    const limit = p.limit(1000);
    return account(p)
      .history.flows.filter(
        (r) =>
          (asset === undefined || r.asset === asset) &&
          r.symbol === symbol &&
          (type === undefined || r.type === type) &&
          (fromId === undefined || (r.id as number) >= fromId) &&
          p.inTime(r.timestamp as number),
      )
      .slice(0, limit);
  });
  add('GET', 'margin/available-inventory', 'USER_DATA', 50, 'UID', (p) => {
    p.reqOneOf('type', ['MARGIN', 'ISOLATED'] as const);
    return { assets: Object.fromEntries(ASSETS.map((a) => [a.asset, fmtShort(a.inventory)])), updateTime: Math.floor(ex.now() / 1000) };
  });

  // ------------------------------------------------------------------ borrow and repay

  add('POST', 'margin/borrow-repay', 'MARGIN', 1500, 'UID', (p) => {
    const asset = p.req('asset');
    const isolated = p.reqOneOf('isIsolated', TRUE_FALSE) === 'TRUE';
    // Binance marks symbol mandatory but reads it only for isolated margin.
    const scope: Scope = isolated ? { accountId: p.accountId, isolatedSymbol: p.symbol() } : { accountId: p.accountId };
    const amount = p.reqDecimal('amount');
    const type = p.reqOneOf('type', ['BORROW', 'REPAY'] as const);
    const tranId = type === 'BORROW' ? ex.borrow(scope, asset, amount, 'MANUAL') : ex.repay(scope, asset, amount, 'MANUAL');
    return { tranId };
  });
  add('GET', 'margin/borrow-repay', 'USER_DATA', 10, 'IP', (p) => {
    const type = p.reqOneOf('type', ['BORROW', 'REPAY'] as const);
    const asset = p.opt('asset');
    const isolated = p.optSymbol('isolatedSymbol');
    const txId = p.int('txId');
    const history = account(p).history;
    const rows = (type === 'BORROW' ? history.borrows : history.repays).filter(
      (r) => (asset === undefined || r.asset === asset) && r.isolatedSymbol === isolated && (txId === undefined || r.txId === txId) && p.inTime(r.timestamp as number),
    );
    return p.page(newestFirst(rows, 'timestamp'));
  });
  add('GET', 'margin/maxBorrowable', 'USER_DATA', 750, 'UID', (p) => {
    const { amount, borrowLimit } = ex.maxBorrowable(p.isolatedScope(), p.req('asset'));
    return { amount: fmt(amount), borrowLimit: fmtShort(borrowLimit) };
  });
  add('GET', 'margin/maxTransferable', 'USER_DATA', 50, 'IP', (p) => ({ amount: fmt(ex.maxTransferable(p.isolatedScope(), p.req('asset'))) }));
  add('GET', 'margin/interestHistory', 'USER_DATA', 1, 'IP', (p) => {
    const asset = p.opt('asset');
    const isolated = p.optSymbol('isolatedSymbol');
    const rows = account(p).history.interest.filter((r) => (asset === undefined || r.asset === asset) && r.isolatedSymbol === isolated && p.inTime(r.interestAccuredTime as number));
    const { rows: page, total } = p.page(newestFirst(rows, 'interestAccuredTime'));
    return { rows: page, total };
  });
  add('GET', 'margin/next-hourly-interest-rate', 'USER_DATA', 100, 'IP', (p) => {
    const assets = p.list('assets') ?? [];
    if (assets.length === 0) throw errors.mandatory('assets');
    p.reqOneOf('isIsolated', TRUE_FALSE);
    return assets.map((asset) => {
      if (!assetInfo(asset)) throw errors.notMarginAsset();
      return { asset, nextHourlyInterestRate: fmt(hourlyRate(asset)) };
    });
  });
  add('GET', 'margin/interestRateHistory', 'USER_DATA', 1, 'IP', (p) => {
    const info = assetInfo(p.req('asset'));
    if (!info) throw errors.notMarginAsset();
    const vipLevel = p.int('vipLevel') ?? 0;
    // The sandbox's rates never change: one entry per day of the last week.
    const today = Math.floor(ex.now() / DAY_MS) * DAY_MS;
    return Array.from({ length: 7 }, (_, i) => today - i * DAY_MS)
      .filter((t) => p.inTime(t))
      .map((timestamp) => ({ asset: info.asset, dailyInterestRate: fmt(info.dailyInterest), timestamp, vipLevel }));
  });
  add('GET', 'margin/crossMarginData', 'USER_DATA', (q) => (q.coin ? 1 : 5), 'IP', (p) => {
    const coin = p.opt('coin');
    const vipLevel = p.int('vipLevel') ?? 0;
    return ASSETS.filter((a) => coin === undefined || a.asset === coin).map((a) => ({
      vipLevel,
      coin: a.asset,
      transferIn: true,
      borrowable: true,
      dailyInterest: fmt(a.dailyInterest),
      yearlyInterest: fmt(mul(a.dailyInterest, fromInt(365))),
      borrowLimit: fmtShort(a.borrowLimit),
      marginablePairs: SYMBOLS.filter((s) => s.base === a.asset || s.quote === a.asset).map((s) => s.symbol),
    }));
  });
  add('GET', 'margin/isolatedMarginData', 'USER_DATA', (q) => (q.symbol ? 1 : 10), 'IP', (p) => {
    const symbol = p.optSymbol();
    const vipLevel = p.int('vipLevel') ?? 0;
    return SYMBOLS.filter((s) => symbol === undefined || s.symbol === symbol).map((s) => ({
      vipLevel,
      symbol: s.symbol,
      leverage: String(s.isolatedLeverage),
      data: [
        { coin: s.base, dailyInterest: fmt(assetInfo(s.base)!.dailyInterest), borrowLimit: fmtShort(s.isolatedBaseBorrowLimit) },
        { coin: s.quote, dailyInterest: fmt(assetInfo(s.quote)!.dailyInterest), borrowLimit: fmtShort(s.isolatedQuoteBorrowLimit) },
      ],
    }));
  });
  add('GET', 'margin/isolatedMarginTier', 'USER_DATA', 1, 'IP', (p) => {
    const s = symbolInfo(p.symbol())!;
    const tier = p.int('tier');
    // Tier 1 is the pair's own leverage; higher tiers lend more at lower leverage.
    return [1, 2, 3]
      .filter((t) => tier === undefined || t === tier)
      .map((t) => {
        const multiple = Math.max(2, s.isolatedLeverage - 2 * (t - 1));
        return {
          symbol: s.symbol,
          tier: t,
          effectiveMultiple: String(multiple),
          initialRiskRatio: (multiple / (multiple - 1)).toFixed(3),
          liquidationRiskRatio: BARS.forceLiquidationBar,
          baseAssetMaxBorrowable: fmtShort(s.isolatedBaseBorrowLimit * BigInt(t)),
          quoteAssetMaxBorrowable: fmtShort(s.isolatedQuoteBorrowLimit * BigInt(t)),
        };
      });
  });
  add('GET', 'margin/exchange-small-liability', 'USER_DATA', 100, 'IP', (p) =>
    ex.smallLiabilities(p.accountId).map((s) => ({
      asset: s.asset,
      interest: fmt(s.interest),
      principal: fmt(s.principal),
      liabilityAsset: 'USDT',
      liabilityQty: toNumber(s.valueUsdt),
    })),
  );
  add('POST', 'margin/exchange-small-liability', 'MARGIN', 3000, 'UID', (p) => {
    const assets = p.list('assetNames') ?? [];
    if (assets.length === 0) throw errors.mandatory('assetNames');
    ex.exchangeSmallLiabilities(p.accountId, assets);
    return {};
  });
  add('GET', 'margin/exchange-small-liability-history', 'USER_DATA', 100, 'UID', (p) => {
    p.reqInt('current');
    p.reqInt('size');
    const rows = account(p).history.smallLiability.filter((r) => p.inTime(r.timestamp as number));
    const { rows: page, total } = p.page(newestFirst(rows, 'timestamp'));
    return { total, rows: page };
  });

  // ------------------------------------------------------------------ market data

  add('GET', 'margin/allPairs', 'MARKET_DATA', 1, 'IP', (p) => {
    const symbol = p.optSymbol();
    return SYMBOLS.filter((s) => symbol === undefined || s.symbol === symbol).map((s, i) => ({
      base: s.base,
      id: 351637150141315 + i, // Binance's ids are large; these stay below 2^53, exact in JSON
      isBuyAllowed: true,
      isMarginTrade: true,
      isSellAllowed: true,
      quote: s.quote,
      symbol: s.symbol,
    }));
  });
  add('GET', 'margin/isolated/allPairs', 'MARKET_DATA', 10, 'IP', (p) => {
    const symbol = p.optSymbol();
    return SYMBOLS.filter((s) => symbol === undefined || s.symbol === symbol).map((s) => ({
      base: s.base,
      isBuyAllowed: true,
      isMarginTrade: true,
      isSellAllowed: true,
      quote: s.quote,
      symbol: s.symbol,
    }));
  });
  add('GET', 'margin/allAssets', 'MARKET_DATA', 1, 'IP', (p) => {
    const asset = p.opt('asset');
    if (asset !== undefined && !assetInfo(asset)) throw errors.notMarginAsset();
    return ASSETS.filter((a) => asset === undefined || a.asset === asset).map((a) => ({
      assetFullName: a.fullName,
      assetName: a.asset,
      isBorrowable: true,
      isMortgageable: true,
      userMinBorrow: fmt(a.userMinBorrow),
      userMinRepay: fmt(a.userMinRepay),
    }));
  });
  add('GET', 'margin/priceIndex', 'MARKET_DATA', 10, 'IP', (p) => {
    const symbol = p.symbol();
    return { calcTime: ex.now(), price: ex.getPrice(symbol), symbol };
  });
  add('GET', 'margin/crossMarginCollateralRatio', 'MARKET_DATA', 100, 'IP', () => [
    { collaterals: [{ minUsdValue: '0', maxUsdValue: '13000000', discountRate: '1' }], assetNames: ASSET_NAMES },
  ]);
  add('GET', 'margin/delist-schedule', 'MARKET_DATA', 100, 'IP', () => []);
  add('GET', 'margin/list-schedule', 'MARKET_DATA', 100, 'IP', () => []);
  add('GET', 'margin/limit-price-pairs', 'MARKET_DATA', 1, 'IP', () => ({ crossMarginSymbols: [] }));
  add('GET', 'margin/restricted-asset', 'MARKET_DATA', 1, 'IP', () => ({ openLongRestrictedAsset: [], maxCollateralExceededAsset: [] }));
  add('GET', 'margin/risk-based-liquidation-ratio', 'MARKET_DATA', 1, 'IP', () =>
    ASSET_NAMES.map((asset) => ({ asset, riskBasedLiquidationRatio: asset === 'USDT' || asset === 'USDC' ? '0.01' : '0.05' })),
  );
  add('GET', 'margin/leverageBracket', 'MARKET_DATA', 1, 'IP', () => {
    // Retired with Cross Margin Pro (Binance change log 2026-04-13).
    throw errors.retired('Cross Margin Pro has been sunset: GET /sapi/v1/margin/leverageBracket');
  });

  // ------------------------------------------------------------------ orders

  add('POST', 'margin/order', 'TRADE', orderWeight, 'UID', (p) => {
    const symbol = p.symbol();
    const placement = placementOf(p, symbol);
    const type = p.reqOneOf('type', ORDER_TYPES, errors.invalidOrderType);
    const spec: OrderSpec = {
      side: p.reqOneOf('side', SIDES, errors.invalidSide),
      type,
      timeInForce: p.oneOf('timeInForce', TIFS, errors.invalidTif),
      quantity: p.decimal('quantity'),
      quoteOrderQty: p.decimal('quoteOrderQty'),
      price: p.decimal('price'),
      stopPrice: p.decimal('stopPrice'),
      icebergQty: p.decimal('icebergQty'),
      clientOrderId: p.opt('newClientOrderId'),
    };
    // Binance answers MARKET and LIMIT orders in full by default, the other types with ACK.
    const respType = p.oneOf('newOrderRespType', RESP_TYPES) ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
    const placed = ex.orders.placeOrder(placement, spec);
    const order = placed.orders[0];
    return shape.orderPlaced(order, respType, placed.fillsByOrder.get(order.orderId) ?? [], placed.borrowed, placed.borrowAsset);
  });
  add('POST', 'margin/order/oco', 'TRADE', orderWeight, 'UID', (p) => {
    const symbol = p.symbol();
    const placement = placementOf(p, symbol);
    const placed = ex.orders.placeOco(placement, {
      side: p.reqOneOf('side', SIDES, errors.invalidSide),
      quantity: p.reqDecimal('quantity'),
      price: p.reqDecimal('price'),
      stopPrice: p.reqDecimal('stopPrice'),
      stopLimitPrice: p.decimal('stopLimitPrice'),
      stopLimitTimeInForce: p.oneOf('stopLimitTimeInForce', TIFS, errors.invalidTif),
      limitClientOrderId: p.opt('limitClientOrderId'),
      stopClientOrderId: p.opt('stopClientOrderId'),
      limitIcebergQty: p.decimal('limitIcebergQty'),
      stopIcebergQty: p.decimal('stopIcebergQty'),
      listClientOrderId: p.opt('listClientOrderId'),
    });
    return shape.listPlaced(placed.list!, placed.orders, placed.borrowed, placed.borrowAsset);
  });
  add('POST', 'margin/order/oto', 'TRADE', orderWeight, 'UID', (p) => {
    const symbol = p.symbol();
    const placement = placementOf(p, symbol);
    const working = workingSpec(p);
    const pending: OrderSpec = {
      side: p.reqOneOf('pendingSide', SIDES, errors.invalidSide),
      type: p.reqOneOf('pendingType', ORDER_TYPES, errors.invalidOrderType),
      quantity: p.reqDecimal('pendingQuantity'),
      price: p.decimal('pendingPrice'),
      stopPrice: p.decimal('pendingStopPrice'),
      icebergQty: p.decimal('pendingIcebergQty'),
      timeInForce: p.oneOf('pendingTimeInForce', TIFS, errors.invalidTif),
      clientOrderId: p.opt('pendingClientOrderId'),
    };
    const placed = ex.orders.placeOto(placement, working, [pending], p.opt('listClientOrderId'));
    return shape.listPlaced(placed.list!, placed.orders, placed.borrowed, placed.borrowAsset);
  });
  add('POST', 'margin/order/otoco', 'TRADE', orderWeight, 'UID', (p) => {
    const symbol = p.symbol();
    const placement = placementOf(p, symbol);
    const working = workingSpec(p);
    const side = p.reqOneOf('pendingSide', SIDES, errors.invalidSide);
    const quantity = p.reqDecimal('pendingQuantity');
    const leg = (prefix: 'pendingAbove' | 'pendingBelow', required: boolean): OrderSpec | undefined => {
      const types = ['LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
      const type = required ? p.reqOneOf(`${prefix}Type`, types, errors.invalidOrderType) : p.oneOf(`${prefix}Type`, types, errors.invalidOrderType);
      if (!type) return undefined;
      return {
        side,
        type,
        quantity,
        price: p.decimal(`${prefix}Price`),
        stopPrice: p.decimal(`${prefix}StopPrice`),
        icebergQty: p.decimal(`${prefix}IcebergQty`),
        timeInForce: p.oneOf(`${prefix}TimeInForce`, TIFS, errors.invalidTif),
        clientOrderId: p.opt(`${prefix}ClientOrderId`),
      };
    };
    const above = leg('pendingAbove', true)!;
    const below = leg('pendingBelow', false);
    const placed = ex.orders.placeOto(placement, working, below ? [above, below] : [above], p.opt('listClientOrderId'));
    return shape.listPlaced(placed.list!, placed.orders, placed.borrowed, placed.borrowAsset);
  });
  add('GET', 'margin/order', 'USER_DATA', 10, 'IP', (p) => {
    const symbol = p.symbol();
    const order = ex.orders.find(p.scope(symbol), symbol, orderRef(p, 'origClientOrderId'));
    if (!order) throw errors.noSuchOrder();
    return shape.orderQuery(order);
  });
  add('DELETE', 'margin/order', 'TRADE', 10, 'IP', (p) => {
    const symbol = p.symbol();
    const order = ex.orders.find(p.scope(symbol), symbol, orderRef(p, 'origClientOrderId'));
    if (!order) throw errors.unknownOrderCancel();
    ex.orders.cancel(order);
    return shape.orderCancelled(order, p.opt('newClientOrderId') ?? ex.rng.token(22));
  });
  add('GET', 'margin/openOrders', 'USER_DATA', 10, 'IP', (p) => {
    const symbol = p.optSymbol();
    return ex.orders.openOrders(p.scope(symbol), symbol).map(shape.orderQuery);
  });
  add('DELETE', 'margin/openOrders', 'TRADE', 1, 'IP', (p) => {
    const symbol = p.symbol();
    const { orders, lists } = ex.orders.cancelAll(p.scope(symbol), symbol);
    return [
      ...orders.map((o) => shape.openOrderCancelled(o, ex.rng.token(22))),
      ...lists.map((l) => shape.listCancelled(l, ex.orders.ordersOf(l), ex.rng.token(22))),
    ];
  });
  add('GET', 'margin/allOrders', 'USER_DATA', 200, 'IP', (p) => {
    const symbol = p.symbol();
    const fromId = p.int('orderId');
    const limit = p.limit(500);
    return ex.orders
      .inScope(p.scope(symbol), symbol)
      .filter((o) => (fromId === undefined || o.orderId >= fromId) && p.inTime(o.time))
      .slice(0, limit)
      .map(shape.orderQuery);
  });
  add('GET', 'margin/myTrades', 'USER_DATA', 10, 'IP', (p) => {
    const symbol = p.symbol();
    const orderId = p.int('orderId');
    const fromId = p.int('fromId');
    const limit = p.limit(1000);
    return ex.orders
      .trades(p.scope(symbol), symbol)
      .filter((t) => (orderId === undefined || t.orderId === orderId) && (fromId === undefined || t.id >= fromId) && p.inTime(t.time))
      .slice(0, limit)
      .map(shape.tradeShape);
  });
  add('GET', 'margin/myPreventedMatches', 'USER_DATA', 10, 'IP', (p) => {
    // The sandbox's market never matches an account against itself: nothing is ever prevented.
    p.scope(p.symbol());
    return [];
  });
  add('GET', 'margin/rateLimit/order', 'TRADE', 20, 'IP', (p) => {
    const symbol = p.optSymbol();
    p.scope(symbol);
    const now = ex.now();
    const count = (ms: number) => ex.orders.placedSince(p.accountId, now - ms);
    return [
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100, count: count(10_000) },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000, count: count(DAY_MS) },
    ];
  });

  // ------------------------------------------------------------------ order lists

  add('GET', 'margin/orderList', 'USER_DATA', 10, 'IP', (p) => {
    const symbol = p.optSymbol();
    const list = ex.orders.findList(p.scope(symbol), listRef(p, 'origClientOrderId'), symbol);
    if (!list) throw errors.noSuchOrder();
    return shape.listQuery(list, ex.orders.ordersOf(list));
  });
  add('DELETE', 'margin/orderList', 'TRADE', 1, 'UID', (p) => {
    const symbol = p.symbol();
    const list = ex.orders.findList(p.scope(symbol), listRef(p, 'listClientOrderId'), symbol);
    if (!list) throw errors.unknownOrderCancel();
    ex.orders.cancelList(list);
    return shape.listCancelled(list, ex.orders.ordersOf(list), p.opt('newClientOrderId') ?? ex.rng.token(22));
  });
  add('GET', 'margin/allOrderList', 'USER_DATA', 200, 'IP', (p) => {
    const symbol = p.optSymbol();
    const fromId = p.int('fromId');
    const limit = p.limit(500);
    return ex.orders
      .listsInScope(p.scope(symbol), symbol)
      .filter((l) => (fromId === undefined || l.orderListId >= fromId) && p.inTime(l.transactionTime))
      .slice(0, limit)
      .map((l) => shape.listQuery(l, ex.orders.ordersOf(l)));
  });
  add('GET', 'margin/openOrderList', 'USER_DATA', 10, 'IP', (p) => {
    const symbol = p.optSymbol();
    return ex.orders
      .listsInScope(p.scope(symbol), symbol)
      .filter((l) => l.listStatusType === 'EXEC_STARTED')
      .map((l) => shape.listQuery(l, ex.orders.ordersOf(l)));
  });

  // ------------------------------------------------------------------ histories and liquidation

  add('GET', 'margin/transfer', 'USER_DATA', 1, 'IP', (p) => {
    const asset = p.opt('asset');
    const type = p.oneOf('type', ['ROLL_IN', 'ROLL_OUT'] as const);
    const isolated = p.optSymbol('isolatedSymbol');
    const rows = account(p).history.transfers.filter(
      (r) => (asset === undefined || r.asset === asset) && (type === undefined || r.type === type) && (r.toSymbol ?? r.fromSymbol) === isolated && p.inTime(r.timestamp as number),
    );
    const { rows: page, total } = p.page(newestFirst(rows, 'timestamp'));
    return { rows: page, total };
  });
  add('GET', 'margin/forceLiquidationRec', 'USER_DATA', 1, 'IP', (p) => {
    const isolated = p.optSymbol('isolatedSymbol');
    const rows = account(p).history.forceLiquidations.filter((r) => (isolated === undefined || (r.isIsolated && r.symbol === isolated)) && p.inTime(r.updatedTime as number));
    const { rows: page, total } = p.page(newestFirst(rows, 'updatedTime'));
    return { rows: page, total };
  });
  add('POST', 'margin/manual-liquidation', 'MARGIN', 3000, 'UID', (p) => {
    const type = p.reqOneOf('type', ['MARGIN', 'ISOLATED'] as const);
    const scope: Scope = type === 'ISOLATED' ? { accountId: p.accountId, isolatedSymbol: p.symbol() } : { accountId: p.accountId };
    ex.wallet(scope);
    if (ex.totalsUsdt(scope).liabilities === 0n) throw errors.unsupported('The margin account has no liability to liquidate.');
    const repaid = ex.closePositions(scope, false);
    const main = repaid.reduce((a, b) => (ex.prices.usdtValue(b.asset, b.principal) > ex.prices.usdtValue(a.asset, a.principal) ? b : a));
    return { asset: main.asset, interest: fmt(main.interest), principal: fmt(main.principal), liabilityAsset: 'USDT', liabilityQty: toNumber(main.usdtSpent) };
  });
  add('GET', 'margin/liquidation-loan', 'USER_DATA', 100, 'UID', (p) => {
    const loan = ex.liquidationLoan(p.accountId);
    return { asset: loan.asset, amount: fmt(loan.amount), repaidAmount: fmt(loan.repaid), remainingAmount: fmt(loan.amount - loan.repaid) };
  });
  add('POST', 'margin/liquidation-loan/repay', 'MARGIN', 100, 'UID', (p) => ex.repayLiquidationLoan(p.accountId, p.req('asset'), p.reqDecimal('amount')));
  add('GET', 'margin/liquidation-loan/repay-history', 'USER_DATA', 100, 'UID', (p) => {
    // Default window: the last 7 days; Binance keeps 90.
    const now = ex.now();
    const start = Math.max(p.int('startTime') ?? now - 7 * DAY_MS, now - 90 * DAY_MS);
    const end = p.int('endTime') ?? now;
    const rows = account(p).history.loanRepays.filter((r) => (r.createTime as number) >= start && (r.createTime as number) <= end);
    const { rows: page, total } = p.page(newestFirst(rows, 'createTime'), 50, 100);
    return { total, rows: page };
  });

  // ------------------------------------------------------------------ special keys and listen keys

  add('POST', 'margin/apiKey', 'TRADE', 1, 'UID', (p) => {
    const key = ex.createSpecialKey(p.accountId, {
      apiName: p.req('apiName'),
      symbol: p.optSymbol(),
      ip: p.list('ip')?.join(','),
      publicKey: p.opt('publicKey'),
      permissionMode: p.oneOf('permissionMode', ['TRADE', 'READ'] as const),
    });
    return key.secretKey ? { apiKey: key.apiKey, secretKey: key.secretKey, type: key.type } : { apiKey: key.apiKey, type: key.type };
  });
  add('GET', 'margin/apiKey', 'TRADE', 1, 'UID', (p, ctx) => {
    const key = ex.findSpecialKey(p.accountId, { requestKey: ctx.apiKey, symbol: p.optSymbol() });
    return { apiKey: key.apiKey, ip: key.ip, apiName: key.apiName, type: key.type, permissionMode: key.permissionMode };
  });
  add('DELETE', 'margin/apiKey', 'TRADE', 1, 'UID', (p, ctx) => {
    const key = ex.findSpecialKey(p.accountId, { apiName: p.opt('apiName'), requestKey: ctx.apiKey, symbol: p.optSymbol() });
    ex.deleteSpecialKey(p.accountId, key);
    return {};
  });
  add('PUT', 'margin/apiKey/ip', 'TRADE', 1, 'UID', (p, ctx) => {
    const ips = p.list('ip') ?? [];
    if (ips.length === 0) throw errors.mandatory('ip');
    if (ips.length > 30 || ips.some((ip) => !/^[0-9a-fA-F.:/]+$/.test(ip))) throw errors.invalidParam('ip');
    ex.findSpecialKey(p.accountId, { requestKey: ctx.apiKey, symbol: p.optSymbol() }).ip = ips.join(',');
    return {};
  });
  add('GET', 'margin/api-key-list', 'TRADE', 1, 'UID', (p) =>
    ex.specialKeys(p.accountId, p.optSymbol()).map((k) => ({ apiName: k.apiName, apiKey: k.apiKey, ip: k.ip, type: k.type, permissionMode: k.permissionMode })),
  );
  add('POST', 'margin/exit-special-key-mode', 'TRADE', 10, 'UID', (p) => {
    ex.exitSpecialKeyMode(p.accountId);
    return {};
  });
  add('POST', 'margin/listen-key', 'USER_STREAM', 1, 'UID', (p) => ({ listenKey: ex.openListenKey(p.accountId) }));
  add('PUT', 'margin/listen-key', 'USER_STREAM', 1, 'UID', (p) => {
    ex.keepListenKey(p.accountId, p.req('listenKey'));
    return {};
  });
  add('DELETE', 'margin/listen-key', 'USER_STREAM', 3000, 'UID', (p) => {
    ex.closeListenKey(p.accountId, p.opt('listenKey'));
    return {};
  });
}

// -------------------------------------------------------------------- helpers

function placementOf(p: Params, symbol: string): Placement {
  return {
    scope: p.scope(symbol),
    symbol,
    sideEffectType: p.oneOf('sideEffectType', SIDE_EFFECTS) ?? ('NO_SIDE_EFFECT' as SideEffect),
    autoRepayAtCancel: p.bool('autoRepayAtCancel', true),
    selfTradePreventionMode: p.oneOf('selfTradePreventionMode', STP_MODES) ?? 'EXPIRE_MAKER',
  };
}

function workingSpec(p: Params): OrderSpec {
  return {
    side: p.reqOneOf('workingSide', SIDES, errors.invalidSide),
    type: p.reqOneOf('workingType', ['LIMIT', 'LIMIT_MAKER'] as const, errors.invalidOrderType),
    price: p.reqDecimal('workingPrice'),
    quantity: p.reqDecimal('workingQuantity'),
    icebergQty: p.decimal('workingIcebergQty'),
    timeInForce: p.oneOf('workingTimeInForce', TIFS, errors.invalidTif) ?? ('GTC' as TimeInForce),
    clientOrderId: p.opt('workingClientOrderId'),
  };
}

/** orderId, else the client id parameter; one of them is mandatory. */
function orderRef(p: Params, clientParam: string): { orderId?: number; clientOrderId?: string } {
  const orderId = p.int('orderId');
  if (orderId !== undefined) return { orderId };
  const clientOrderId = p.opt(clientParam);
  if (clientOrderId === undefined) throw errors.eitherParam('orderId', clientParam);
  return { clientOrderId };
}

function listRef(p: Params, clientParam: string): { orderListId?: number; listClientOrderId?: string } {
  const orderListId = p.int('orderListId');
  if (orderListId !== undefined) return { orderListId };
  const listClientOrderId = p.opt(clientParam);
  if (listClientOrderId === undefined) throw errors.eitherParam('orderListId', clientParam);
  return { listClientOrderId };
}

const newestFirst = (rows: Row[], field: string): Row[] => [...rows].reverse().sort((a, b) => (b[field] as number) - (a[field] as number));

function assetLine(asset: string, b: Balance) {
  return { asset, borrowed: fmt(b.borrowed), free: fmt(b.free), interest: fmt(b.interest), locked: fmt(b.locked), netAsset: fmt(netOf(b)) };
}

const empty = (): Balance => ({ free: ZERO, locked: ZERO, borrowed: ZERO, interest: ZERO });

/** GET margin/account: totals valued through the price index, in BTC and USDT. */
function crossAccount(ex: SandboxExchange, accountId: string) {
  const scope = { accountId };
  const wallet = ex.wallet(scope);
  const { assets, liabilities } = ex.totalsUsdt(scope);
  const btc = ex.prices.usdtPrice('BTC');
  return {
    created: true,
    borrowEnabled: true,
    marginLevel: ex.marginLevel(scope),
    collateralMarginLevel: liabilities === 0n ? '999.00000000' : fmt(div(assets, liabilities)),
    totalAssetOfBtc: fmt(div(assets, btc)),
    totalLiabilityOfBtc: fmt(div(liabilities, btc)),
    totalNetAssetOfBtc: fmt(div(assets - liabilities, btc)),
    TotalCollateralValueInUSDT: fmt(assets),
    // Open orders rest at their own prices and lose nothing until they fill.
    totalOpenOrderLossInUSDT: fmt(ZERO),
    tradeEnabled: true,
    transferInEnabled: true,
    transferOutEnabled: true,
    accountType: 'MARGIN_1',
    userAssets: ASSET_NAMES.map((asset) => assetLine(asset, wallet[asset] ?? empty())),
  };
}

function marginLevelStatus(level: number): string {
  if (level >= 2) return 'EXCESSIVE';
  if (level >= Number(BARS.normalBar)) return 'NORMAL';
  if (level >= Number(BARS.marginCallBar)) return 'MARGIN_CALL';
  if (level >= Number(BARS.forceLiquidationBar)) return 'PRE_LIQUIDATION';
  return 'FORCE_LIQUIDATION';
}

/** GET margin/isolated/account: one entry per enabled pair; totals only when no symbols were named. */
function isolatedAccounts(ex: SandboxExchange, p: Params) {
  const symbols = p.list('symbols');
  if (symbols && symbols.length > 5) throw errors.invalidParam('symbols');
  for (const s of symbols ?? []) if (!symbolInfo(s)) throw errors.invalidSymbol();
  const account = ex.account(p.accountId);
  const pairs = Object.values(account.isolated).filter((pair) => pair.enabled && (!symbols || symbols.includes(pair.symbol)));
  const btc = ex.prices.usdtPrice('BTC');
  let totalAssets = ZERO;
  let totalLiabilities = ZERO;
  const entries = pairs.map((pair) => {
    const info = symbolInfo(pair.symbol)!;
    const scope = { accountId: p.accountId, isolatedSymbol: pair.symbol };
    const { assets, liabilities } = ex.totalsUsdt(scope);
    totalAssets += assets;
    totalLiabilities += liabilities;
    const side = (asset: string) => {
      const b = pair.wallet[asset] ?? empty();
      return {
        asset,
        borrowEnabled: true,
        borrowed: fmt(b.borrowed),
        free: fmt(b.free),
        interest: fmt(b.interest),
        locked: fmt(b.locked),
        netAsset: fmt(netOf(b)),
        netAssetOfBtc: fmt(ex.prices.btcValue(asset, netOf(b))),
        repayEnabled: true,
        totalAsset: fmt(b.free + b.locked),
      };
    };
    const level = liabilities === 0n ? 999 : toNumber(div(assets, liabilities));
    return {
      baseAsset: side(info.base),
      quoteAsset: side(info.quote),
      symbol: pair.symbol,
      isolatedCreated: true,
      enabled: true,
      marginLevel: ex.marginLevel(scope),
      marginLevelStatus: marginLevelStatus(level),
      marginRatio: String(info.isolatedLeverage),
      indexPrice: ex.getPrice(pair.symbol),
      liquidatePrice: fmt(liquidationPrice(pair.symbol, pair.wallet[info.base] ?? empty(), pair.wallet[info.quote] ?? empty())),
      liquidateRate: liabilities === 0n ? '0.00000000' : fmt(div(dec(BARS.forceLiquidationBar), div(assets, liabilities))),
      tradeEnabled: true,
    };
  });
  if (symbols) return { assets: entries };
  return {
    assets: entries,
    totalAssetOfBtc: fmt(div(totalAssets, btc)),
    totalLiabilityOfBtc: fmt(div(totalLiabilities, btc)),
    totalNetAssetOfBtc: fmt(div(totalAssets - totalLiabilities, btc)),
  };
}

/**
 * The price at which an isolated pair's margin level would fall to the liquidation bar:
 * solves (base·P + quote) = bar · (baseDebt·P + quoteDebt) for P; 0 when there is none.
 */
function liquidationPrice(symbol: string, base: Balance, quote: Balance): bigint {
  const bar = Number(BARS.forceLiquidationBar);
  const [ab, aq] = [toNumber(base.free + base.locked), toNumber(quote.free + quote.locked)];
  const [lb, lq] = [toNumber(base.borrowed + base.interest), toNumber(quote.borrowed + quote.interest)];
  if (lb === 0 && lq === 0) return ZERO;
  const price = (bar * lq - aq) / (ab - bar * lb);
  const tick = symbolInfo(symbol)!.tickSize;
  if (!Number.isFinite(price) || price <= 0) return ZERO;
  return (dec(price.toFixed(8)) / tick) * tick;
}
