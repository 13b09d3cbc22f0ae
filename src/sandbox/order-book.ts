/**
 * What the order engine stands on: finding orders, lists and trades, and the funds
 * orders lock, borrow and pay. The engine (orders.ts) places, executes and cancels.
 */
import { div, floorTo, isMultiple, min, mul, ZERO, type Dec } from './decimal.js';
import { errors } from './errors.js';
import type { SandboxExchange } from './exchange.js';
import { symbolInfo, type SymbolInfo } from './market.js';
import type { Scope } from './state.js';
import {
  borrows,
  hasLimitPrice,
  isOpen,
  isStop,
  type Order,
  type OrderList,
  type OrderSpec,
  type Placement,
  type Side,
  type Trade,
} from './order-types.js';

export abstract class OrderBook {
  constructor(protected readonly ex: SandboxExchange) {}

  protected get state() {
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

  findList(
    scope: Scope,
    by: { orderListId?: number; listClientOrderId?: string },
    symbol?: string,
  ): OrderList | undefined {
    return this.state.orderLists.find(
      (l) =>
        l.accountId === scope.accountId &&
        l.isIsolated === !!scope.isolatedSymbol &&
        (symbol === undefined || l.symbol === symbol) &&
        (by.orderListId !== undefined
          ? l.orderListId === by.orderListId
          : l.listClientOrderId === by.listClientOrderId),
    );
  }

  inScope(scope: Scope, symbol?: string): Order[] {
    return this.state.orders.filter(
      (o) =>
        o.accountId === scope.accountId &&
        o.isIsolated === !!scope.isolatedSymbol &&
        (symbol === undefined || o.symbol === symbol),
    );
  }

  openOrders(scope: Scope, symbol?: string): Order[] {
    return this.inScope(scope, symbol).filter(isOpen);
  }

  listsInScope(scope: Scope, symbol?: string): OrderList[] {
    return this.state.orderLists.filter(
      (l) =>
        l.accountId === scope.accountId &&
        l.isIsolated === !!scope.isolatedSymbol &&
        (symbol === undefined || l.symbol === symbol),
    );
  }

  ordersOf(list: OrderList): Order[] {
    return list.orderIds.map((id) => this.state.orders.find((o) => o.orderId === id)!);
  }

  trades(scope: Scope, symbol: string): Trade[] {
    return this.state.trades.filter(
      (t) => t.accountId === scope.accountId && t.symbol === symbol && t.isIsolated === !!scope.isolatedSymbol,
    );
  }

  /** Orders placed by an account since `since` (for rateLimit/order). */
  placedSince(accountId: string, since: number): number {
    return this.state.orders.filter((o) => o.accountId === accountId && o.time >= since).length;
  }

  listOf(o: Order): OrderList | undefined {
    return o.orderListId < 0 ? undefined : this.state.orderLists.find((l) => l.orderListId === o.orderListId);
  }

  // ---------------------------------------------------------------- checks

  protected symbolFor(p: Placement): SymbolInfo {
    const info = symbolInfo(p.symbol);
    if (!info) throw errors.invalidSymbol();
    if (p.scope.isolatedSymbol && p.scope.isolatedSymbol !== p.symbol) throw errors.notMarginPair();
    this.ex.wallet(p.scope); // the isolated pair must be enabled
    return info;
  }

  protected missing(name: string): never {
    throw errors.mandatory(name);
  }

  /** Binance's parameter rules per type, then the symbol's filters; returns the quantity. */
  protected validate(info: SymbolInfo, s: OrderSpec, market: Dec): Dec {
    const needsTif = s.type === 'LIMIT' || s.type === 'STOP_LOSS_LIMIT' || s.type === 'TAKE_PROFIT_LIMIT';
    if (needsTif && !s.timeInForce) this.missing('timeInForce');
    if (hasLimitPrice(s.type) && s.price === undefined) this.missing('price');
    if (isStop(s.type) && s.stopPrice === undefined && s.trailingDelta === undefined) this.missing('stopPrice');
    if (s.trailingDelta !== undefined) {
      if (!isStop(s.type)) throw errors.notRequired('trailingDelta');
      // The TRAILING_DELTA filter of Binance's spot pairs: 10 to 2000 bips.
      if (s.trailingDelta < 10 || s.trailingDelta > 2000) throw errors.filter('TRAILING_DELTA');
    }
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
    if (qty! < info.minQty || qty! > info.maxQty || !isMultiple(qty!, info.stepSize))
      throw errors.filter(s.type === 'MARKET' ? 'MARKET_LOT_SIZE' : 'LOT_SIZE');
    if (s.icebergQty !== undefined && s.icebergQty > 0n && (!hasLimitPrice(s.type) || s.icebergQty > qty!))
      throw errors.badCombination();
    const notionalPrice =
      s.type === 'MARKET' || s.type === 'STOP_LOSS' || s.type === 'TAKE_PROFIT' ? (s.stopPrice ?? market) : s.price!;
    if (mul(qty!, notionalPrice) < info.minNotional) throw errors.filter('NOTIONAL');
    return qty!;
  }

  // ---------------------------------------------------------------- new orders and lists

  protected newOrder(
    p: Placement,
    s: OrderSpec,
    qty: Dec,
    orderListId: number,
    now: number,
    role?: Order['role'],
  ): Order {
    const clientOrderId = s.clientOrderId ?? this.ex.rng.token(22);
    if (this.inScope(p.scope).some((o) => isOpen(o) && o.clientOrderId === clientOrderId))
      throw errors.duplicateOrder();
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
      ...(s.trailingDelta ? { trailingDelta: s.trailingDelta, trailingTime: -1 } : {}),
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

  protected newList(
    p: Placement,
    contingencyType: OrderList['contingencyType'],
    listClientOrderId: string | undefined,
    now: number,
  ): OrderList {
    const id = listClientOrderId ?? this.ex.rng.token(22);
    if (this.listsInScope(p.scope).some((l) => l.listStatusType === 'EXEC_STARTED' && l.listClientOrderId === id))
      throw errors.duplicateOrder();
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

  protected commit(list: OrderList, orders: Order[]): void {
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

  protected payAsset(info: SymbolInfo, side: Side): string {
    return side === 'BUY' ? info.quote : info.base;
  }

  /** What an order pays at `price`: quote for a BUY, base for a SELL. */
  protected cost(o: Order, price: Dec): Dec {
    return o.side === 'BUY' ? mul(o.origQty, price) : o.origQty;
  }

  /**
   * Resting orders lock at their limit price, stop-market orders at their stop price; a
   * trailing stop-market without one at the price it would trigger at from here.
   */
  protected lockPrice(o: Order): Dec {
    if (hasLimitPrice(o.type)) return o.price;
    if (o.stopPrice > 0n || !o.trailingDelta) return o.stopPrice;
    const market = this.ex.prices.get(o.symbol);
    return o.side === 'BUY' ? (market * (10_000n + BigInt(o.trailingDelta))) / 10_000n : market;
  }

  /**
   * Makes sure `need` of `asset` is free: borrows the shortfall when the side effect
   * allows it (Binance's MARGIN_BUY), refuses otherwise. Returns the amount borrowed.
   */
  protected fund(p: Placement, asset: string, need: Dec): Dec {
    const bal = this.ex.balance(p.scope, asset);
    if (bal.free >= need) return ZERO;
    if (!borrows(p.sideEffectType)) throw errors.insufficientBalance();
    const shortfall = need - bal.free;
    this.ex.borrow(p.scope, asset, shortfall, 'AUTO');
    return shortfall;
  }

  protected scopeOf(o: Order): Scope {
    return o.isIsolated ? { accountId: o.accountId, isolatedSymbol: o.symbol } : { accountId: o.accountId };
  }

  protected lock(o: Order, amount: Dec): void {
    const bal = this.ex.balance(this.scopeOf(o), o.lockAsset);
    bal.free -= amount;
    bal.locked += amount;
    o.locked += amount;
  }

  protected unlock(o: Order): void {
    if (o.locked === 0n) return;
    const bal = this.ex.balance(this.scopeOf(o), o.lockAsset);
    bal.locked -= o.locked;
    bal.free += o.locked;
    o.locked = ZERO;
  }

  /** Orders whose lock this order may spend: itself, and its OCO partner. */
  protected lockSharers(o: Order): Order[] {
    if (o.role !== 'oco') return [o];
    const list = this.listOf(o)!;
    return [o, ...this.ordersOf(list).filter((x) => x !== o && x.role === 'oco')];
  }

  /** Pays `amount` from the locks the order may use first, then from free funds. */
  protected pay(o: Order, amount: Dec): boolean {
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
}
