/**
 * Binance's response shapes for orders, order lists and trades, field for field as in
 * Binance's documented examples (binance-connector-js margin-trading mocks). Decimals
 * are 8-place strings; the few fields Binance documents as numbers stay numbers.
 */
import { fmt, toNumber, type Dec } from './decimal.js';
import type { Order, OrderList, Trade } from './orders.js';

const isStopType = (o: Order) => o.type !== 'LIMIT' && o.type !== 'MARKET' && o.type !== 'LIMIT_MAKER';

/** The run of fields every order answer but GET order carries, in Binance's order. */
const progress = (o: Order) => ({
  price: fmt(o.price),
  origQty: fmt(o.origQty),
  executedQty: fmt(o.executedQty),
  cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
  status: o.status,
  timeInForce: o.timeInForce,
  type: o.type,
  side: o.side,
});

/** GET order, openOrders, allOrders. */
export function orderQuery(o: Order): Record<string, unknown> {
  return {
    clientOrderId: o.clientOrderId,
    cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
    executedQty: fmt(o.executedQty),
    icebergQty: fmt(o.icebergQty),
    // A stop order works once its stop has fired; a pending list order not yet.
    isWorking: o.status !== 'PENDING_NEW' && (!isStopType(o) || o.triggered),
    orderId: o.orderId,
    origQty: fmt(o.origQty),
    price: fmt(o.price),
    side: o.side,
    status: o.status,
    stopPrice: fmt(o.stopPrice),
    symbol: o.symbol,
    isIsolated: o.isIsolated,
    time: o.time,
    timeInForce: o.timeInForce,
    type: o.type,
    selfTradePreventionMode: o.selfTradePreventionMode,
    updateTime: o.updateTime,
    ...trailing(o),
  };
}

/** Trailing stops carry their delta, and when tracking began (-1 until then). */
const trailing = (o: Order) =>
  o.trailingDelta ? { trailingDelta: o.trailingDelta, trailingTime: o.trailingTime ?? -1 } : {};

function fillShape(t: Trade) {
  return {
    price: fmt(t.price),
    qty: fmt(t.qty),
    commission: fmt(t.commission),
    commissionAsset: t.commissionAsset,
    tradeId: t.id,
  };
}

/** POST order, in the answer size asked for (ACK, RESULT or FULL). */
export function orderPlaced(
  o: Order,
  respType: 'ACK' | 'RESULT' | 'FULL',
  fills: Trade[],
  borrowed: Dec,
  borrowAsset: string,
): Record<string, unknown> {
  const ack = {
    symbol: o.symbol,
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    isIsolated: o.isIsolated,
    transactTime: o.time,
  };
  if (respType === 'ACK') return ack;
  const result: Record<string, unknown> = {
    ...ack,
    ...progress(o),
    selfTradePreventionMode: o.selfTradePreventionMode,
  };
  if (borrowed > 0n) {
    // Binance documents this one as a number on the order answer (a string on OCO).
    result.marginBuyBorrowAmount = toNumber(borrowed);
    result.marginBuyBorrowAsset = borrowAsset;
  }
  if (respType === 'FULL') result.fills = fills.map(fillShape);
  return result;
}

/** DELETE order: Binance's example writes orderId as a string here. */
export function orderCancelled(o: Order, clientOrderId: string): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: String(o.orderId),
    origClientOrderId: o.clientOrderId,
    clientOrderId,
    ...progress(o),
    isIsolated: o.isIsolated,
  };
}

/** One cancelled order inside DELETE openOrders. */
export function openOrderCancelled(o: Order, clientOrderId: string): Record<string, unknown> {
  return {
    symbol: o.symbol,
    isIsolated: o.isIsolated,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId,
    ...progress(o),
    selfTradePreventionMode: o.selfTradePreventionMode,
  };
}

/** An order list as GET orderList / allOrderList / openOrderList show it. */
export function listQuery(l: OrderList, orders: Order[]): Record<string, unknown> {
  return {
    orderListId: l.orderListId,
    contingencyType: l.contingencyType,
    listStatusType: l.listStatusType,
    listOrderStatus: l.listOrderStatus,
    listClientOrderId: l.listClientOrderId,
    transactionTime: l.transactionTime,
    symbol: l.symbol,
    isIsolated: l.isIsolated,
    orders: orders.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
  };
}

/** A report of one list order: as placed, or (with the cancel's client id) as cancelled. */
function orderReport(o: Order, cancelClientId?: string, cancelAll = false): Record<string, unknown> {
  const report: Record<string, unknown> = { symbol: o.symbol };
  if (cancelClientId !== undefined) report.origClientOrderId = o.clientOrderId;
  Object.assign(report, {
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: cancelClientId ?? o.clientOrderId,
    ...(cancelClientId === undefined ? { transactTime: o.time } : {}),
    ...progress(o),
  });
  // A cancel-all reports every leg's stopPrice and icebergQty; the other answers only where they apply.
  if (isStopType(o) || cancelAll) report.stopPrice = fmt(o.stopPrice);
  if (o.icebergQty > 0n || cancelAll) report.icebergQty = fmt(o.icebergQty);
  Object.assign(report, trailing(o));
  if (!cancelAll) report.selfTradePreventionMode = o.selfTradePreventionMode;
  return report;
}

/** POST order/oco, oto, otoco; what MARGIN_BUY borrowed sits after symbol, as in Binance's OCO example. */
export function listPlaced(l: OrderList, orders: Order[], borrowed: Dec, borrowAsset: string): Record<string, unknown> {
  const { isIsolated, orders: legs, ...head } = listQuery(l, orders);
  const borrow = borrowed > 0n ? { marginBuyBorrowAmount: fmt(borrowed), marginBuyBorrowAsset: borrowAsset } : {};
  return { ...head, ...borrow, isIsolated, orders: legs, orderReports: orders.map((o) => orderReport(o)) };
}

/** DELETE orderList, and (cancelAll) a list inside DELETE openOrders. */
export function listCancelled(
  l: OrderList,
  orders: Order[],
  cancelClientId: string,
  cancelAll = false,
): Record<string, unknown> {
  return { ...listQuery(l, orders), orderReports: orders.map((o) => orderReport(o, cancelClientId, cancelAll)) };
}

export function tradeShape(t: Trade): Record<string, unknown> {
  return {
    commission: fmt(t.commission),
    commissionAsset: t.commissionAsset,
    id: t.id,
    isBestMatch: true,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    orderId: t.orderId,
    price: fmt(t.price),
    qty: fmt(t.qty),
    symbol: t.symbol,
    isIsolated: t.isIsolated,
    time: t.time,
  };
}
