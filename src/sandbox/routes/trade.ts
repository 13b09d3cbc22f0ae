/** Orders and order lists: placing, querying, cancelling, fills and order counts. */
import { errors } from '../errors.js';
import type { SandboxExchange } from '../exchange.js';
import { ORDER_TYPES, type OrderSpec, type Placement, type SideEffect, type TimeInForce } from '../orders.js';
import type { Params } from '../params.js';
import * as shape from '../shapes.js';
import { DAY_MS, orderWeight, RESP_TYPES, SIDE_EFFECTS, SIDES, STP_MODES, TIFS, type Add } from './common.js';

export function registerTradeRoutes(add: Add, ex: SandboxExchange): void {
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
      trailingDelta: p.int('trailingDelta'),
      icebergQty: p.decimal('icebergQty'),
      clientOrderId: p.opt('newClientOrderId'),
    };
    // Binance answers MARKET and LIMIT orders in full by default, the other types with ACK.
    const respType =
      p.oneOf('newOrderRespType', RESP_TYPES) ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
    const placed = ex.orders.placeOrder(placement, spec);
    const order = placed.orders[0];
    return shape.orderPlaced(
      order,
      respType,
      placed.fillsByOrder.get(order.orderId) ?? [],
      placed.borrowed,
      placed.borrowAsset,
    );
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
    const placement = placementOf(p, symbol, LIST_SIDE_EFFECTS);
    const working = workingSpec(p);
    const pending: OrderSpec = {
      side: p.reqOneOf('pendingSide', SIDES, errors.invalidSide),
      type: p.reqOneOf('pendingType', ORDER_TYPES, errors.invalidOrderType),
      quantity: p.reqDecimal('pendingQuantity'),
      price: p.decimal('pendingPrice'),
      stopPrice: p.decimal('pendingStopPrice'),
      trailingDelta: trailing(p, 'pending'),
      icebergQty: p.decimal('pendingIcebergQty'),
      timeInForce: p.oneOf('pendingTimeInForce', TIFS, errors.invalidTif),
      clientOrderId: p.opt('pendingClientOrderId'),
    };
    const placed = ex.orders.placeOto(placement, working, [pending], p.opt('listClientOrderId'));
    return shape.listPlaced(placed.list!, placed.orders, placed.borrowed, placed.borrowAsset);
  });
  add('POST', 'margin/order/otoco', 'TRADE', orderWeight, 'UID', (p) => {
    const symbol = p.symbol();
    const placement = placementOf(p, symbol, LIST_SIDE_EFFECTS);
    const working = workingSpec(p);
    const side = p.reqOneOf('pendingSide', SIDES, errors.invalidSide);
    const quantity = p.reqDecimal('pendingQuantity');
    const leg = (prefix: 'pendingAbove' | 'pendingBelow', required: boolean): OrderSpec | undefined => {
      const types = ['LIMIT_MAKER', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'] as const;
      const type = required
        ? p.reqOneOf(`${prefix}Type`, types, errors.invalidOrderType)
        : p.oneOf(`${prefix}Type`, types, errors.invalidOrderType);
      if (!type) return undefined;
      return {
        side,
        type,
        quantity,
        price: p.decimal(`${prefix}Price`),
        stopPrice: p.decimal(`${prefix}StopPrice`),
        trailingDelta: trailing(p, prefix),
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
      ...lists.map((l) => shape.listCancelled(l, ex.orders.ordersOf(l), ex.rng.token(22), true)),
    ];
  });
  add('GET', 'margin/myTrades', 'USER_DATA', 10, 'IP', (p) => {
    const symbol = p.symbol();
    p.within24h();
    const orderId = p.int('orderId');
    const fromId = p.int('fromId');
    const limit = p.limit(1000);
    return ex.orders
      .trades(p.scope(symbol), symbol)
      .filter(
        (t) =>
          (orderId === undefined || t.orderId === orderId) &&
          (fromId === undefined || t.id >= fromId) &&
          p.inTime(t.time),
      )
      .slice(0, limit)
      .map(shape.tradeShape);
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
  add('GET', 'margin/openOrderList', 'USER_DATA', 10, 'IP', (p) => {
    const symbol = p.optSymbol();
    return ex.orders
      .listsInScope(p.scope(symbol), symbol)
      .filter((l) => l.listStatusType === 'EXEC_STARTED')
      .map((l) => shape.listQuery(l, ex.orders.ordersOf(l)));
  });
}

/** A pending leg's trailing delta; since 2026-06-15 Binance wants the leg's price with it. */
function trailing(p: Params, prefix: string): number | undefined {
  const delta = p.int(`${prefix}TrailingDelta`);
  if (delta !== undefined && p.decimal(`${prefix}Price`) === undefined) throw errors.mandatory(`${prefix}Price`);
  return delta;
}

/** OTO and OTOCO take only these side effects (Binance's docs and connector). */
const LIST_SIDE_EFFECTS = ['NO_SIDE_EFFECT', 'MARGIN_BUY'] as const;

function placementOf(p: Params, symbol: string, sideEffects: readonly SideEffect[] = SIDE_EFFECTS): Placement {
  return {
    scope: p.scope(symbol),
    symbol,
    sideEffectType: p.oneOf('sideEffectType', sideEffects) ?? ('NO_SIDE_EFFECT' as SideEffect),
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
