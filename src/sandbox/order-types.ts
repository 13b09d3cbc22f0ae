/** The order engine's data: orders, lists, trades, and the pure rules about them. */
import { dec, type Dec } from './decimal.js';
import type { Scope } from './state.js';

export type Side = 'BUY' | 'SELL';
export type OrderType =
  | 'LIMIT'
  | 'MARKET'
  | 'STOP_LOSS'
  | 'STOP_LOSS_LIMIT'
  | 'TAKE_PROFIT'
  | 'TAKE_PROFIT_LIMIT'
  | 'LIMIT_MAKER';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type SideEffect = 'NO_SIDE_EFFECT' | 'MARGIN_BUY' | 'AUTO_REPAY' | 'AUTO_BORROW_REPAY';
export type OrderStatus = 'NEW' | 'PENDING_NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';

export const ORDER_TYPES: readonly OrderType[] = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
];
export const COMMISSION_RATE = dec('0.001');

export interface Order {
  accountId: string;
  symbol: string;
  isIsolated: boolean;
  orderId: number;
  clientOrderId: string;
  orderListId: number;
  /** In a list: the working order, a pending order, or one of an OCO pair. */
  role?: 'working' | 'pending' | 'oco';
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  price: Dec;
  stopPrice: Dec;
  icebergQty: Dec;
  origQty: Dec;
  executedQty: Dec;
  cummulativeQuoteQty: Dec;
  status: OrderStatus;
  /** Stop orders: the stop has fired and the order now works as a market or limit order. */
  triggered: boolean;
  /** Trailing stops: the distance in bips, when tracking began (-1 before), and the best price since. */
  trailingDelta?: number;
  trailingTime?: number;
  trailExtreme?: Dec;
  time: number;
  updateTime: number;
  selfTradePreventionMode: string;
  sideEffectType: SideEffect;
  autoRepayAtCancel: boolean;
  /** What placing it borrowed (MARGIN_BUY / AUTO_BORROW_REPAY), repaid at cancel when autoRepayAtCancel. */
  borrowed: Dec;
  borrowAsset: string;
  /** Funds this order holds locked (an OCO pair shares one lock, held by its first leg). */
  locked: Dec;
  lockAsset: string;
}

export interface OrderList {
  accountId: string;
  orderListId: number;
  contingencyType: 'OCO' | 'OTO';
  listClientOrderId: string;
  transactionTime: number;
  symbol: string;
  isIsolated: boolean;
  orderIds: number[];
  listStatusType: 'EXEC_STARTED' | 'ALL_DONE';
  listOrderStatus: 'EXECUTING' | 'ALL_DONE';
}

export interface Trade {
  id: number;
  accountId: string;
  symbol: string;
  isIsolated: boolean;
  orderId: number;
  price: Dec;
  qty: Dec;
  quoteQty: Dec;
  commission: Dec;
  commissionAsset: string;
  isBuyer: boolean;
  isMaker: boolean;
  time: number;
}

/** One order as a client describes it (also one leg of a list). */
export interface OrderSpec {
  side: Side;
  type: OrderType;
  timeInForce?: TimeInForce;
  quantity?: Dec;
  quoteOrderQty?: Dec;
  price?: Dec;
  stopPrice?: Dec;
  trailingDelta?: number;
  icebergQty?: Dec;
  clientOrderId?: string;
}

export interface Placement {
  scope: Scope;
  symbol: string;
  sideEffectType: SideEffect;
  autoRepayAtCancel: boolean;
  selfTradePreventionMode: string;
}

export interface Placed {
  orders: Order[];
  list?: OrderList;
  borrowed: Dec;
  borrowAsset: string;
  fillsByOrder: Map<number, Trade[]>;
}

export const isStop = (t: OrderType) =>
  t === 'STOP_LOSS' || t === 'STOP_LOSS_LIMIT' || t === 'TAKE_PROFIT' || t === 'TAKE_PROFIT_LIMIT';
export const hasLimitPrice = (t: OrderType) =>
  t === 'LIMIT' || t === 'LIMIT_MAKER' || t === 'STOP_LOSS_LIMIT' || t === 'TAKE_PROFIT_LIMIT';
export const isFinal = (o: Order) => o.status === 'FILLED' || o.status === 'CANCELED' || o.status === 'EXPIRED';
export const isOpen = (o: Order) => o.status === 'NEW' || o.status === 'PENDING_NEW' || o.status === 'PARTIALLY_FILLED';
/** Live on the book: may fill or trigger now. */
export const isLive = (o: Order) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
export const borrows = (s: SideEffect) => s === 'MARGIN_BUY' || s === 'AUTO_BORROW_REPAY';
export const repays = (s: SideEffect) => s === 'AUTO_REPAY' || s === 'AUTO_BORROW_REPAY';

/** Stop-loss fires when the price moves against the position, take-profit when it moves for it. */
export function stopFires(o: Pick<Order, 'type' | 'side' | 'stopPrice'>, price: Dec): boolean {
  const lossType = o.type === 'STOP_LOSS' || o.type === 'STOP_LOSS_LIMIT';
  const upward = (o.side === 'BUY') === lossType;
  return upward ? price >= o.stopPrice : price <= o.stopPrice;
}

/** A limit price the market has reached: a BUY at or above it, a SELL at or below it. */
export const marketable = (side: Side, limit: Dec, price: Dec) => (side === 'BUY' ? price <= limit : price >= limit);
