/**
 * The order engine. There is no order book of other traders: a marketable order takes
 * from a simple depth model (depth.ts: the same depth at every level, outwards from
 * the index price), so a large one fills in parts; a resting order fills one level per
 * price move that reaches it (setPrice / the price walk). That keeps outcomes
 * predictable for tests while every rule a client meets stays Binance's: filters,
 * timeInForce, LIMIT_MAKER refusals, stop and trailing-stop triggers, funds locked by
 * resting orders, MARGIN_BUY borrowing, AUTO_REPAY, autoRepayAtCancel, and OCO / OTO /
 * OTOCO lists whose legs trigger and cancel each other. Commission is 0.1 % of what is
 * received, per fill.
 */
import { max, min, mul, ZERO, type Dec } from './decimal.js';
import { errors } from './errors.js';
import type { Scope } from './exchange.js';
import { hourlyRate, symbolInfo } from './market.js';
import { levelQty, totals } from './depth.js';
import { OrderBook } from './order-book.js';
import {
  borrows,
  COMMISSION_RATE,
  hasLimitPrice,
  isFinal,
  isLive,
  isOpen,
  isStop,
  marketable,
  repays,
  stopFires,
  type Order,
  type OrderList,
  type OrderSpec,
  type Placed,
  type Placement,
  type Side,
  type TimeInForce,
  type Trade,
} from './order-types.js';

import { planFills } from './depth.js';
import { trails } from './trailing.js';
export * from './order-types.js';

export class OrderEngine extends OrderBook {
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
      // A trailing stop starts tracking now, or once its stopPrice is reached; a plain stop must not fire at once.
      if (order.trailingDelta) trails(order, price, this.ex.now());
      else if (stopFires(order, price)) throw errors.wouldTrigger();
      action = 'rest';
    } else if (marketable(spec.side, order.price, price)) {
      if (spec.type === 'LIMIT_MAKER') throw errors.wouldMatch();
      // FOK: all of it now, or nothing.
      action = order.timeInForce === 'FOK' && totals(planFills(this.ex, order, price)).qty < qty ? 'expire' : 'fill';
    } else action = spec.type === 'LIMIT' && order.timeInForce !== 'GTC' ? 'expire' : 'rest';

    // A limit order locks at its price, a market order what its walk of the book costs.
    const walkCost = () => (spec.side === 'BUY' ? totals(planFills(this.ex, order, price)).quote : qty);
    const need =
      action === 'expire' ? ZERO : spec.type === 'MARKET' ? walkCost() : this.cost(order, this.lockPrice(order));
    const borrowed = this.fund(p, this.payAsset(info, spec.side), need);
    order.borrowed = borrowed;
    order.borrowAsset = this.payAsset(info, spec.side);
    order.orderId = this.ex.nextId('order');
    this.state.orders.push(order);

    const fills = new Map<number, Trade[]>();
    if (action === 'expire') this.finish(order, 'EXPIRED');
    else {
      this.lock(order, need);
      if (action === 'fill') fills.set(order.orderId, this.take(order, price));
    }
    return { orders: [order], borrowed, borrowAsset: order.borrowAsset, fillsByOrder: fills };
  }

  /** OCO: a LIMIT_MAKER and a stop leg sharing one quantity; whichever fills cancels the other. */
  placeOco(
    p: Placement,
    o: {
      side: Side;
      quantity: Dec;
      price: Dec;
      stopPrice: Dec;
      stopLimitPrice?: Dec;
      stopLimitTimeInForce?: TimeInForce;
      limitClientOrderId?: string;
      stopClientOrderId?: string;
      limitIcebergQty?: Dec;
      stopIcebergQty?: Dec;
      listClientOrderId?: string;
    },
  ): Placed {
    const info = this.symbolFor(p);
    const market = this.ex.prices.get(p.symbol);
    const ordered =
      o.side === 'SELL' ? o.price > market && market > o.stopPrice : o.price < market && market < o.stopPrice;
    if (!ordered) throw errors.ocoPrices();
    const stopSpec: OrderSpec = {
      side: o.side,
      type: o.stopLimitPrice !== undefined ? 'STOP_LOSS_LIMIT' : 'STOP_LOSS',
      quantity: o.quantity,
      stopPrice: o.stopPrice,
      price: o.stopLimitPrice,
      timeInForce:
        o.stopLimitPrice !== undefined ? (o.stopLimitTimeInForce ?? this.missing('stopLimitTimeInForce')) : undefined,
      icebergQty: o.stopIcebergQty,
      clientOrderId: o.stopClientOrderId,
    };
    const limitSpec: OrderSpec = {
      side: o.side,
      type: 'LIMIT_MAKER',
      quantity: o.quantity,
      price: o.price,
      icebergQty: o.limitIcebergQty,
      clientOrderId: o.limitClientOrderId,
    };
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
    const expire = crosses
      ? first.timeInForce === 'FOK' && totals(planFills(this.ex, first, market)).qty < workingQty
      : first.timeInForce !== 'GTC';
    const need = expire ? ZERO : this.cost(first, first.price);
    const asset = this.payAsset(info, working.side);
    const borrowed = this.fund(p, asset, need);
    Object.assign(first, { borrowed, borrowAsset: asset });
    this.commit(list, [first, ...rest]);
    const fills = new Map<number, Trade[]>();
    if (expire) this.finish(first, 'EXPIRED');
    else {
      this.lock(first, need);
      if (crosses) fills.set(first.orderId, this.take(first, market));
    }
    return { orders: [first, ...rest], list, borrowed, borrowAsset: asset, fillsByOrder: fills };
  }

  // ---------------------------------------------------------------- execution

  /** Takes from the book level by level; what is left rests (a GTC limit) or expires. */
  private take(o: Order, market: Dec): Trade[] {
    const trades: Trade[] = [];
    for (const f of planFills(this.ex, o, market)) {
      const t = this.fillPart(o, f.qty, f.price, false);
      if (!t) return trades;
      trades.push(t);
    }
    if (isLive(o) && (!hasLimitPrice(o.type) || o.timeInForce !== 'GTC')) this.finish(o, 'EXPIRED');
    return trades;
  }

  /**
   * Fills `qty` of the order at `price`: one trade, both assets settled, commission
   * (0.1 % of what is received) and side effects per fill. Undefined when the funds went
   * elsewhere since the order was placed: Binance would expire it.
   */
  private fillPart(o: Order, qty: Dec, price: Dec, isMaker: boolean): Trade | undefined {
    const info = symbolInfo(o.symbol)!;
    const scope = this.scopeOf(o);
    const quote = mul(qty, price);
    if (!this.pay(o, o.side === 'BUY' ? quote : qty)) {
      this.finish(o, 'EXPIRED');
      return undefined;
    }
    const receivedAsset = o.side === 'BUY' ? info.base : info.quote;
    const gross = o.side === 'BUY' ? qty : quote;
    const commission = mul(gross, COMMISSION_RATE);
    this.ex.balance(scope, receivedAsset).free += gross - commission;
    const tranId = this.ex.nextId('tx');
    const [expense, income] = o.side === 'BUY' ? ['BUY_EXPENSE', 'BUY_INCOME'] : ['SELL_EXPENSE', 'SELL_INCOME'];
    this.ex.recordFlow(
      scope,
      o.side === 'BUY' ? info.quote : info.base,
      expense,
      -(o.side === 'BUY' ? quote : qty),
      tranId,
      o.symbol,
    );
    this.ex.recordFlow(scope, receivedAsset, income, gross, tranId, o.symbol);
    if (commission > 0n) this.ex.recordFlow(scope, receivedAsset, 'TRADING_COMMISSION', -commission, tranId, o.symbol);

    const now = this.ex.now();
    const trade: Trade = {
      id: this.ex.nextId('trade'),
      accountId: o.accountId,
      symbol: o.symbol,
      isIsolated: o.isIsolated,
      orderId: o.orderId,
      price,
      qty,
      quoteQty: quote,
      commission,
      commissionAsset: receivedAsset,
      isBuyer: o.side === 'BUY',
      isMaker,
      time: now,
    };
    this.state.trades.push(trade);
    // The first fill of an OCO leg ends the other leg; their shared lock stays until this one ends.
    if (o.role === 'oco' && o.executedQty === 0n)
      for (const x of this.lockSharers(o)) if (x !== o && isOpen(x)) this.endLeg(x, 'EXPIRED');
    o.executedQty += qty;
    o.cummulativeQuoteQty += quote;
    if (repays(o.sideEffectType)) this.ex.repayWhatIsOwed(scope, receivedAsset, gross - commission);
    if (o.executedQty === o.origQty) this.finish(o, 'FILLED');
    else {
      o.status = 'PARTIALLY_FILLED';
      o.updateTime = now;
    }
    return trade;
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
    const need = pending.reduce(
      (m, x) => max(m, this.cost(x, x.type === 'MARKET' ? this.ex.prices.get(x.symbol) : this.lockPrice(x))),
      ZERO,
    );
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

  /**
   * Fills or triggers one live order at the current price; true when something happened.
   * A resting order fills as a maker at most once per price move (`makers`).
   */
  private evaluate(o: Order, makers = new Set<number>()): boolean {
    if (!isLive(o)) return false;
    const price = this.ex.prices.get(o.symbol);
    if (o.type === 'MARKET') {
      this.take(o, price);
      return true;
    }
    if (isStop(o.type) && !o.triggered) {
      if (!(o.trailingDelta ? trails(o, price, this.ex.now()) : stopFires(o, price))) return false;
      o.triggered = true;
      o.updateTime = this.ex.now();
      // A triggered stop-market takes at once; a stop-limit takes what its price allows, then rests.
      if (!hasLimitPrice(o.type) || marketable(o.side, o.price, price)) this.take(o, price);
      return true;
    }
    if (!marketable(o.side, o.price, price) || makers.has(o.orderId)) return false;
    makers.add(o.orderId);
    const level = levelQty(symbolInfo(o.symbol)!, this.ex.prices, o.price, this.ex.depthUsdt);
    this.fillPart(o, min(o.origQty - o.executedQty, level), o.price, true);
    return true;
  }

  /** After a price move: fill or trigger everything it reaches, until nothing more happens. */
  onPrice(symbol: string): void {
    const makers = new Set<number>();
    for (let round = 0; round < 20; round++) {
      let changed = false;
      for (const o of this.state.orders)
        if (o.symbol === symbol && isLive(o) && this.evaluate(o, makers)) changed = true;
      if (!changed) return;
    }
  }

  // ---------------------------------------------------------------- cancelling

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
