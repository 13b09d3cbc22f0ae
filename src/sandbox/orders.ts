/**
 * The order engine. There is no order book: the market has unlimited depth at the
 * current price, so an order either fills completely now (it is marketable) or rests
 * until setPrice / the price walk crosses it. That keeps outcomes predictable for tests
 * while every rule a client meets stays Binance's: filters, timeInForce, LIMIT_MAKER
 * refusals, stop triggers, funds locked by resting orders, MARGIN_BUY borrowing,
 * AUTO_REPAY, autoRepayAtCancel, and OCO / OTO / OTOCO lists whose legs trigger and
 * cancel each other. Commission is 0.1 % of what is received.
 */
import { dec, floorTo, isMultiple, max, min, mul, div, ZERO, type Dec } from './decimal.js';
import { errors } from './errors.js';
import type { SandboxExchange, Scope } from './exchange.js';
import { hourlyRate, symbolInfo, type SymbolInfo } from './market.js';

export type Side = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT' | 'LIMIT_MAKER';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type SideEffect = 'NO_SIDE_EFFECT' | 'MARGIN_BUY' | 'AUTO_REPAY' | 'AUTO_BORROW_REPAY';
export type OrderStatus = 'NEW' | 'PENDING_NEW' | 'FILLED' | 'CANCELED' | 'EXPIRED';

export const ORDER_TYPES: readonly OrderType[] = ['LIMIT', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT', 'LIMIT_MAKER'];
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

const isStop = (t: OrderType) => t === 'STOP_LOSS' || t === 'STOP_LOSS_LIMIT' || t === 'TAKE_PROFIT' || t === 'TAKE_PROFIT_LIMIT';
const hasLimitPrice = (t: OrderType) => t === 'LIMIT' || t === 'LIMIT_MAKER' || t === 'STOP_LOSS_LIMIT' || t === 'TAKE_PROFIT_LIMIT';
const isFinal = (o: Order) => o.status === 'FILLED' || o.status === 'CANCELED' || o.status === 'EXPIRED';
export const isOpen = (o: Order) => o.status === 'NEW' || o.status === 'PENDING_NEW';
const borrows = (s: SideEffect) => s === 'MARGIN_BUY' || s === 'AUTO_BORROW_REPAY';
const repays = (s: SideEffect) => s === 'AUTO_REPAY' || s === 'AUTO_BORROW_REPAY';

/** Stop-loss fires when the price moves against the position, take-profit when it moves for it. */
function stopFires(o: Pick<Order, 'type' | 'side' | 'stopPrice'>, price: Dec): boolean {
  const lossType = o.type === 'STOP_LOSS' || o.type === 'STOP_LOSS_LIMIT';
  const upward = (o.side === 'BUY') === lossType;
  return upward ? price >= o.stopPrice : price <= o.stopPrice;
}

/** A limit price the market has reached: a BUY at or above it, a SELL at or below it. */
const marketable = (side: Side, limit: Dec, price: Dec) => (side === 'BUY' ? price <= limit : price >= limit);

export class OrderEngine {
  constructor(private readonly ex: SandboxExchange) {}

  private get state() {
    return this.ex.state;
  }

  // ---------------------------------------------------------------- lookups

  find(scope: Scope, symbol: string, by: { orderId?: number; clientOrderId?: string }): Order | undefined {
    return this.state.orders.find(
      (o) =>
        o.accountId === scope.accountId &&
        o.symbol === symbol &&
        o.isIsolated === !!scope.isolatedSymbol &&
        (by.orderId !== undefined ? o.orderId === by.orderId : o.clientOrderId === by.clientOrderId),
    );
  }

  findList(scope: Scope, by: { orderListId?: number; listClientOrderId?: string }, symbol?: string): OrderList | undefined {
    return this.state.orderLists.find(
      (l) =>
        l.accountId === scope.accountId &&
        l.isIsolated === !!scope.isolatedSymbol &&
        (symbol === undefined || l.symbol === symbol) &&
        (by.orderListId !== undefined ? l.orderListId === by.orderListId : l.listClientOrderId === by.listClientOrderId),
    );
  }

  inScope(scope: Scope, symbol?: string): Order[] {
    return this.state.orders.filter((o) => o.accountId === scope.accountId && o.isIsolated === !!scope.isolatedSymbol && (symbol === undefined || o.symbol === symbol));
  }

  openOrders(scope: Scope, symbol?: string): Order[] {
    return this.inScope(scope, symbol).filter(isOpen);
  }

  listsInScope(scope: Scope, symbol?: string): OrderList[] {
    return this.state.orderLists.filter((l) => l.accountId === scope.accountId && l.isIsolated === !!scope.isolatedSymbol && (symbol === undefined || l.symbol === symbol));
  }

  ordersOf(list: OrderList): Order[] {
    return list.orderIds.map((id) => this.state.orders.find((o) => o.orderId === id)!);
  }

  trades(scope: Scope, symbol: string): Trade[] {
    return this.state.trades.filter((t) => t.accountId === scope.accountId && t.symbol === symbol && t.isIsolated === !!scope.isolatedSymbol);
  }

  /** Orders placed by an account since `since` (for rateLimit/order). */
  placedSince(accountId: string, since: number): number {
    return this.state.orders.filter((o) => o.accountId === accountId && o.time >= since).length;
  }

  // ---------------------------------------------------------------- placing

  /** A single order: fills now if marketable, else rests (or expires, for IOC / FOK). */
  placeOrder(p: Placement, spec: OrderSpec): Placed {
    const info = this.symbolFor(p);
    const price = this.ex.prices.get(p.symbol);
    const qty = this.validate(info, spec, price);
    const now = this.ex.now();
    const order = this.newOrder(p, spec, qty, -1, now);

    let action: 'fill' | 'rest' | 'expire';
    if (spec.type === 'MARKET') action = 'fill';
    else if (isStop(spec.type)) {
      if (stopFires(order, price)) throw errors.wouldTrigger();
      action = 'rest';
    } else if (marketable(spec.side, order.price, price)) {
      if (spec.type === 'LIMIT_MAKER') throw errors.wouldMatch();
      action = 'fill';
    } else action = spec.type === 'LIMIT' && order.timeInForce !== 'GTC' ? 'expire' : 'rest';

    const need = action === 'fill' ? this.cost(order, price) : action === 'rest' ? this.cost(order, this.lockPrice(order)) : ZERO;
    const borrowed = this.fund(p, this.payAsset(info, spec.side), need);
    order.borrowed = borrowed;
    order.borrowAsset = this.payAsset(info, spec.side);
    order.orderId = this.ex.nextId('order');
    this.state.orders.push(order);

    const fills = new Map<number, Trade[]>();
    if (action === 'fill') fills.set(order.orderId, this.execute(order, price, false));
    else if (action === 'rest') this.lock(order, need);
    else this.finish(order, 'EXPIRED');
    return { orders: [order], borrowed, borrowAsset: order.borrowAsset, fillsByOrder: fills };
  }

  /** OCO: a LIMIT_MAKER and a stop leg sharing one quantity; whichever fills cancels the other. */
  placeOco(
    p: Placement,
    o: { side: Side; quantity: Dec; price: Dec; stopPrice: Dec; stopLimitPrice?: Dec; stopLimitTimeInForce?: TimeInForce; limitClientOrderId?: string; stopClientOrderId?: string; limitIcebergQty?: Dec; stopIcebergQty?: Dec; listClientOrderId?: string },
  ): Placed {
    const info = this.symbolFor(p);
    const market = this.ex.prices.get(p.symbol);
    const ordered = o.side === 'SELL' ? o.price > market && market > o.stopPrice : o.price < market && market < o.stopPrice;
    if (!ordered) throw errors.ocoPrices();
    const stopSpec: OrderSpec = {
      side: o.side,
      type: o.stopLimitPrice !== undefined ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS',
      quantity: o.quantity,
      stopPrice: o.stopPrice,
      price: o.stopLimitPrice,
      timeInForce: o.stopLimitPrice !== undefined ? (o.stopLimitTimeInForce ?? this.missing('stopLimitTimeInForce')) : undefined,
      icebergQty: o.stopIcebergQty,
      clientOrderId: o.stopClientOrderId,
    };
    const limitSpec: OrderSpec = { side: o.side, type: 'LIMIT_MAKER', quantity: o.quantity, price: o.price, icebergQty: o.limitIcebergQty, clientOrderId: o.limitClientOrderId };
    this.validate(info, stopSpec, market);
    this.validate(info, limitSpec, market);
    const now = this.ex.now();
    const list = this.newList(p, 'OCO', o.listClientOrderId, now);
    const stop = this.newOrder(p, stopSpec, o.quantity, list.orderListId, now, 'oco');
    const limit = this.newOrder(p, limitSpec, o.quantity, list.orderListId, now, 'oco');
    const need = max(this.cost(stop, this.lockPrice(stop)), this.cost(limit, this.lockPrice(limit)));
    const asset = this.payAsset(info, o.side);
    const borrowed = this.fund(p, asset, need);
    Object.assign(stop, { borrowed, borrowAsset: asset });
    this.commit(list, [stop, limit]);
    this.lock(stop, need);
    return { orders: [stop, limit], list, borrowed, borrowAsset: asset, fillsByOrder: new Map() };
  }

  /**
   * OTO / OTOCO: a working LIMIT or LIMIT_MAKER order, and pending orders (one, or an
   * OCO pair) placed only once it has filled.
   */
  placeOto(p: Placement, working: OrderSpec, pending: OrderSpec[], listClientOrderId?: string): Placed {
    const info = this.symbolFor(p);
    const market = this.ex.prices.get(p.symbol);
    if (working.type !== 'LIMIT' && working.type !== 'LIMIT_MAKER') throw errors.invalidOrderType();
    const workingQty = this.validate(info, working, market);
    const pendingQty = pending.map((s) => this.validate(info, s, market));
    const crosses = marketable(working.side, working.price!, market);
    if (crosses && working.type === 'LIMIT_MAKER') throw errors.wouldMatch();
    const now = this.ex.now();
    const list = this.newList(p, 'OTO', listClientOrderId, now);
    const first = this.newOrder(p, working, workingQty, list.orderListId, now, 'working');
    const rest = pending.map((s, i) => {
      const o = this.newOrder(p, s, pendingQty[i], list.orderListId, now, pending.length > 1 ? 'oco' : 'pending');
      o.status = 'PENDING_NEW';
      return o;
    });
    const expire = !crosses && first.timeInForce !== 'GTC';
    const need = expire ? ZERO : this.cost(first, crosses ? market : first.price);
    const asset = this.payAsset(info, working.side);
    const borrowed = this.fund(p, asset, need);
    Object.assign(first, { borrowed, borrowAsset: asset });
    this.commit(list, [first, ...rest]);
    const fills = new Map<number, Trade[]>();
    if (crosses) fills.set(first.orderId, this.execute(first, market, false));
    else if (expire) this.finish(first, 'EXPIRED');
    else this.lock(first, need);
    return { orders: [first, ...rest], list, borrowed, borrowAsset: asset, fillsByOrder: fills };
  }

  private symbolFor(p: Placement): SymbolInfo {
    const info = symbolInfo(p.symbol);
    if (!info) throw errors.invalidSymbol();
    if (p.scope.isolatedSymbol && p.scope.isolatedSymbol !== p.symbol) throw errors.notMarginPair();
    this.ex.wallet(p.scope); // the isolated pair must be enabled
    return info;
  }

  private missing(name: string): never {
    throw errors.mandatory(name);
  }

  /** Binance's parameter rules per type, then the symbol's filters; returns the quantity. */
  private validate(info: SymbolInfo, s: OrderSpec, market: Dec): Dec {
    const needsTif = s.type === 'LIMIT' || s.type === 'STOP_LOSS_LIMIT' || s.type === 'TAKE_PROFIT_LIMIT';
    if (needsTif && !s.timeInForce) this.missing('timeInForce');
    if (hasLimitPrice(s.type) && s.price === undefined) this.missing('price');
    if (isStop(s.type) && s.stopPrice === undefined) this.missing('stopPrice');
    let qty = s.quantity;
    if (s.type === 'MARKET') {
      if (qty === undefined && s.quoteOrderQty === undefined) throw errors.eitherParam('quantity', 'quoteOrderQty');
      if (qty !== undefined && s.quoteOrderQty !== undefined) throw errors.badCombination();
      // quoteOrderQty: buy or sell as much base as that quote amount is worth now.
      if (qty === undefined) qty = floorTo(div(s.quoteOrderQty!, market), info.stepSize);
    } else if (qty === undefined) this.missing('quantity');
    if (s.quoteOrderQty !== undefined && s.type !== 'MARKET') throw errors.notRequired('quoteOrderQty');
    for (const p of [s.price, s.stopPrice]) {
      if (p === undefined) continue;
      if (p < info.minPrice || p > info.maxPrice || !isMultiple(p, info.tickSize)) throw errors.filter('PRICE_FILTER');
    }
    if (qty! < info.minQty || qty! > info.maxQty || !isMultiple(qty!, info.stepSize)) throw errors.filter(s.type === 'MARKET' ? 'MARKET_LOT_SIZE' : 'LOT_SIZE');
    if (s.icebergQty !== undefined && s.icebergQty > 0n && (!hasLimitPrice(s.type) || s.icebergQty > qty!)) throw errors.badCombination();
    const notionalPrice = s.type === 'MARKET' || s.type === 'STOP_LOSS' || s.type === 'TAKE_PROFIT' ? (s.stopPrice ?? market) : s.price!;
    if (mul(qty!, notionalPrice) < info.minNotional) throw errors.filter('NOTIONAL');
    return qty!;
  }

  private newOrder(p: Placement, s: OrderSpec, qty: Dec, orderListId: number, now: number, role?: Order['role']): Order {
    const clientOrderId = s.clientOrderId ?? this.ex.rng.token(22);
    if (this.inScope(p.scope).some((o) => isOpen(o) && o.clientOrderId === clientOrderId)) throw errors.duplicateOrder();
    const info = symbolInfo(p.symbol)!;
    return {
      accountId: p.scope.accountId,
      symbol: p.symbol,
      isIsolated: !!p.scope.isolatedSymbol,
      orderId: 0, // numbered when committed, so a refused order uses no id
      clientOrderId,
      orderListId,
      ...(role ? { role } : {}),
      side: s.side,
      type: s.type,
      timeInForce: s.timeInForce ?? 'GTC',
      price: s.price ?? ZERO,
      stopPrice: s.stopPrice ?? ZERO,
      icebergQty: s.icebergQty ?? ZERO,
      origQty: qty,
      executedQty: ZERO,
      cummulativeQuoteQty: ZERO,
      status: 'NEW',
      triggered: false,
      time: now,
      updateTime: now,
      selfTradePreventionMode: p.selfTradePreventionMode,
      sideEffectType: p.sideEffectType,
      autoRepayAtCancel: p.autoRepayAtCancel,
      borrowed: ZERO,
      borrowAsset: s.side === 'BUY' ? info.quote : info.base,
      locked: ZERO,
      lockAsset: s.side === 'BUY' ? info.quote : info.base,
    };
  }

  private newList(p: Placement, contingencyType: OrderList['contingencyType'], listClientOrderId: string | undefined, now: number): OrderList {
    const id = listClientOrderId ?? this.ex.rng.token(22);
    if (this.listsInScope(p.scope).some((l) => l.listStatusType === 'EXEC_STARTED' && l.listClientOrderId === id)) throw errors.duplicateOrder();
    return {
      accountId: p.scope.accountId,
      orderListId: 0,
      contingencyType,
      listClientOrderId: id,
      transactionTime: now,
      symbol: p.symbol,
      isIsolated: !!p.scope.isolatedSymbol,
      orderIds: [],
      listStatusType: 'EXEC_STARTED',
      listOrderStatus: 'EXECUTING',
    };
  }

  private commit(list: OrderList, orders: Order[]): void {
    list.orderListId = this.ex.nextId('list');
    for (const o of orders) {
      o.orderId = this.ex.nextId('order');
      o.orderListId = list.orderListId;
      list.orderIds.push(o.orderId);
      this.state.orders.push(o);
    }
    this.state.orderLists.push(list);
  }

  // ---------------------------------------------------------------- funds

  private payAsset(info: SymbolInfo, side: Side): string {
    return side === 'BUY' ? info.quote : info.base;
  }

  /** What an order pays at `price`: quote for a BUY, base for a SELL. */
  private cost(o: Order, price: Dec): Dec {
    return o.side === 'BUY' ? mul(o.origQty, price) : o.origQty;
  }

  /** Resting orders lock at their limit price, stop-market orders at their stop price. */
  private lockPrice(o: Order): Dec {
    return hasLimitPrice(o.type) ? o.price : o.stopPrice;
  }

  /**
   * Makes sure `need` of `asset` is free: borrows the shortfall when the side effect
   * allows it (Binance's MARGIN_BUY), refuses otherwise. Returns the amount borrowed.
   */
  private fund(p: Placement, asset: string, need: Dec): Dec {
    const bal = this.ex.balance(p.scope, asset);
    if (bal.free >= need) return ZERO;
    if (!borrows(p.sideEffectType)) throw errors.insufficientBalance();
    const shortfall = need - bal.free;
    this.ex.borrow(p.scope, asset, shortfall, 'AUTO');
    return shortfall;
  }

  private scopeOf(o: Order): Scope {
    return o.isIsolated ? { accountId: o.accountId, isolatedSymbol: o.symbol } : { accountId: o.accountId };
  }

  private lock(o: Order, amount: Dec): void {
    const bal = this.ex.balance(this.scopeOf(o), o.lockAsset);
    bal.free -= amount;
    bal.locked += amount;
    o.locked += amount;
  }

  private unlock(o: Order): void {
    if (o.locked === 0n) return;
    const bal = this.ex.balance(this.scopeOf(o), o.lockAsset);
    bal.locked -= o.locked;
    bal.free += o.locked;
    o.locked = ZERO;
  }

  /** Orders whose lock this order may spend: itself, and its OCO partner. */
  private lockSharers(o: Order): Order[] {
    if (o.role !== 'oco') return [o];
    const list = this.listOf(o)!;
    return [o, ...this.ordersOf(list).filter((x) => x !== o && x.role === 'oco')];
  }

  /** Pays `amount` from the locks the order may use first, then from free funds. */
  private pay(o: Order, amount: Dec): boolean {
    const scope = this.scopeOf(o);
    const bal = this.ex.balance(scope, o.lockAsset);
    const sharers = this.lockSharers(o);
    const available = bal.free + sharers.reduce((s, x) => s + x.locked, ZERO);
    if (available < amount) return false;
    let rest = amount;
    for (const x of sharers) {
      const take = min(rest, x.locked);
      x.locked -= take;
      bal.locked -= take;
      rest -= take;
    }
    bal.free -= rest;
    return true;
  }

  // ---------------------------------------------------------------- execution

  /** Fills the whole order at `price`, settles both assets and commission, and runs its side effects. */
  private execute(o: Order, price: Dec, isMaker: boolean): Trade[] {
    const info = symbolInfo(o.symbol)!;
    const scope = this.scopeOf(o);
    const quote = mul(o.origQty, price);
    if (!this.pay(o, o.side === 'BUY' ? quote : o.origQty)) {
      // Funds went elsewhere since the order was placed: Binance would expire it.
      this.finish(o, 'EXPIRED');
      return [];
    }
    const receivedAsset = o.side === 'BUY' ? info.base : info.quote;
    const gross = o.side === 'BUY' ? o.origQty : quote;
    const commission = mul(gross, COMMISSION_RATE);
    this.ex.balance(scope, receivedAsset).free += gross - commission;
    const tranId = this.ex.nextId('tx');
    const [expense, income] = o.side === 'BUY' ? ['BUY_EXPENSE', 'BUY_INCOME'] : ['SELL_EXPENSE', 'SELL_INCOME'];
    this.ex.recordFlow(scope, o.side === 'BUY' ? info.quote : info.base, expense, -(o.side === 'BUY' ? quote : o.origQty), tranId);
    this.ex.recordFlow(scope, receivedAsset, income, gross, tranId);
    if (commission > 0n) this.ex.recordFlow(scope, receivedAsset, 'TRADING_COMMISSION', -commission, tranId);

    const now = this.ex.now();
    const trade: Trade = {
      id: this.ex.nextId('trade'),
      accountId: o.accountId,
      symbol: o.symbol,
      isIsolated: o.isIsolated,
      orderId: o.orderId,
      price,
      qty: o.origQty,
      quoteQty: quote,
      commission,
      commissionAsset: receivedAsset,
      isBuyer: o.side === 'BUY',
      isMaker,
      time: now,
    };
    this.state.trades.push(trade);
    o.executedQty = o.origQty;
    o.cummulativeQuoteQty = quote;
    if (repays(o.sideEffectType)) this.ex.repayWhatIsOwed(scope, receivedAsset, gross - commission);
    this.finish(o, 'FILLED');
    return [trade];
  }

  /** Ends an order: releases what it still locks, and lets its list react. */
  private finish(o: Order, status: 'FILLED' | 'CANCELED' | 'EXPIRED'): void {
    this.endLeg(o, status);
    this.unlock(o);
    const list = this.listOf(o);
    if (!list) return;
    const orders = this.ordersOf(list);
    if (o.role === 'oco') {
      // One leg of an OCO is done: the other expires, and the lock they shared is released.
      for (const x of orders) {
        if (x.role !== 'oco' || x === o) continue;
        if (isOpen(x)) this.endLeg(x, 'EXPIRED');
        this.unlock(x);
      }
    }
    if (o.role === 'working') {
      const pending = orders.filter((x) => x.status === 'PENDING_NEW');
      if (status === 'FILLED') this.activate(pending);
      else for (const x of pending) this.endLeg(x, status === 'CANCELED' ? 'CANCELED' : 'EXPIRED');
    }
    if (orders.every(isFinal)) {
      list.listStatusType = 'ALL_DONE';
      list.listOrderStatus = 'ALL_DONE';
    }
  }

  private endLeg(o: Order, status: 'FILLED' | 'CANCELED' | 'EXPIRED'): void {
    o.status = status;
    o.updateTime = this.ex.now();
  }

  /** The working order filled: its pending orders go live, locking their funds now. */
  private activate(pending: Order[]): void {
    if (pending.length === 0) return;
    const lockHolder = pending[0];
    const need = pending.reduce((m, x) => max(m, this.cost(x, x.type === 'MARKET' ? this.ex.prices.get(x.symbol) : this.lockPrice(x))), ZERO);
    for (const x of pending) {
      x.status = 'NEW';
      x.updateTime = this.ex.now();
    }
    const bal = this.ex.balance(this.scopeOf(lockHolder), lockHolder.lockAsset);
    if (bal.free < need) {
      for (const x of pending) this.endLeg(x, 'EXPIRED');
      return;
    }
    this.lock(lockHolder, need);
    for (const x of pending) this.evaluate(x);
  }

  /** Fills or triggers one live order at the current price; true when something happened. */
  private evaluate(o: Order): boolean {
    if (o.status !== 'NEW') return false;
    const price = this.ex.prices.get(o.symbol);
    if (o.type === 'MARKET') {
      this.execute(o, price, false);
      return true;
    }
    if (isStop(o.type) && !o.triggered) {
      if (!stopFires(o, price)) return false;
      o.triggered = true;
      o.updateTime = this.ex.now();
      if (!hasLimitPrice(o.type)) {
        this.execute(o, price, false);
        return true;
      }
      // A triggered stop-limit is a limit order that may take at once, at the better price.
      if (marketable(o.side, o.price, price)) {
        this.execute(o, o.side === 'BUY' ? min(o.price, price) : max(o.price, price), false);
        return true;
      }
      return true;
    }
    if (!marketable(o.side, o.price, price)) return false;
    this.execute(o, o.price, true);
    return true;
  }

  /** After a price move: fill or trigger everything it reaches, until nothing more happens. */
  onPrice(symbol: string): void {
    for (let round = 0; round < 20; round++) {
      let changed = false;
      for (const o of this.state.orders) if (o.symbol === symbol && o.status === 'NEW' && this.evaluate(o)) changed = true;
      if (!changed) return;
    }
  }

  // ---------------------------------------------------------------- cancelling

  listOf(o: Order): OrderList | undefined {
    return o.orderListId < 0 ? undefined : this.state.orderLists.find((l) => l.orderListId === o.orderListId);
  }

  /** Cancels an order; an order of a list cancels the whole list, as on Binance. */
  cancel(o: Order): Order[] {
    if (!isOpen(o)) throw errors.unknownOrderCancel();
    const list = this.listOf(o);
    if (list) return this.cancelList(list);
    this.finish(o, 'CANCELED');
    this.repayAtCancel([o]);
    return [o];
  }

  cancelList(list: OrderList): Order[] {
    const orders = this.ordersOf(list);
    if (list.listStatusType === 'ALL_DONE') throw errors.unknownOrderCancel();
    const open = orders.filter(isOpen);
    for (const x of open) this.endLeg(x, 'CANCELED');
    for (const x of orders) this.unlock(x);
    list.listStatusType = 'ALL_DONE';
    list.listOrderStatus = 'ALL_DONE';
    this.repayAtCancel(orders);
    return orders;
  }

  /** autoRepayAtCancel (default true): what an order borrowed is repaid when it is cancelled. */
  private repayAtCancel(orders: Order[]): void {
    for (const o of orders) {
      if (o.borrowed === 0n || !o.autoRepayAtCancel || !borrows(o.sideEffectType)) continue;
      // The loan and the hour of interest it was charged at once.
      this.ex.repayWhatIsOwed(this.scopeOf(o), o.borrowAsset, o.borrowed + mul(o.borrowed, hourlyRate(o.borrowAsset)));
      o.borrowed = ZERO;
    }
  }

  /** Cancels every open order and list of a symbol; returns what was cancelled. */
  cancelAll(scope: Scope, symbol: string): { orders: Order[]; lists: OrderList[] } {
    const lists = this.listsInScope(scope, symbol).filter((l) => l.listStatusType === 'EXEC_STARTED');
    for (const l of lists) this.cancelList(l);
    const orders = this.openOrders(scope, symbol).filter((o) => o.orderListId < 0);
    for (const o of orders) this.cancel(o);
    return { orders, lists };
  }

  cancelAllInScope(scope: Scope): void {
    const symbols = new Set(this.openOrders(scope).map((o) => o.symbol));
    for (const s of symbols) this.cancelAll(scope, s);
  }
}

