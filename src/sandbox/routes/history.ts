/** What happened: orders, order lists, flows, loans, interest, transfers, liquidations. */
import { errors } from '../errors.js';
import type { Row, SandboxExchange } from '../exchange.js';
import type { Params } from '../params.js';
import * as shape from '../shapes.js';
import { DAY_MS, newestFirst, type Add } from './common.js';

export function registerHistoryRoutes(add: Add, ex: SandboxExchange): void {
  const account = (p: Params) => ex.account(p.accountId);
  add('GET', 'margin/allOrders', 'USER_DATA', 200, 'IP', (p) => {
    const symbol = p.symbol();
    p.within24h();
    const fromId = p.int('orderId');
    const limit = p.limit(500);
    return ex.orders
      .inScope(p.scope(symbol), symbol)
      .filter((o) => (fromId === undefined || o.orderId >= fromId) && p.inTime(o.time))
      .slice(0, limit)
      .map(shape.orderQuery);
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
  add('GET', 'margin/myPreventedMatches', 'USER_DATA', 10, 'IP', (p) => {
    // The sandbox's market never matches an account against itself: nothing is ever prevented.
    p.scope(p.symbol());
    return [];
  });
  add('GET', 'margin/capital-flow', 'USER_DATA', 100, 'IP', (p) => {
    const start = p.int('startTime');
    const end = p.int('endTime');
    if (start !== undefined && end !== undefined && (end - start > 7 * DAY_MS || end < start))
      throw errors.timeInterval(7);
    const asset = p.opt('asset');
    const symbol = p.optSymbol();
    const type = p.opt('type');
    const fromId = p.int('fromId');
    const limit = p.limit(1000);
    // Lines saved before `scope` existed carried symbol only for isolated pairs.
    const scopeOf = (r: Row) => (r.scope === undefined ? r.symbol : r.scope === 'CROSS' ? undefined : r.scope);
    return account(p)
      .history.flows.filter(
        (r) =>
          (asset === undefined || r.asset === asset) &&
          scopeOf(r) === symbol &&
          (type === undefined || r.type === type) &&
          (fromId === undefined || (r.id as number) >= fromId) &&
          p.inTime(r.timestamp as number),
      )
      .slice(0, limit)
      .map(({ scope: _scope, ...row }) => row);
  });
  add('GET', 'margin/borrow-repay', 'USER_DATA', 10, 'IP', (p) => {
    const type = p.reqOneOf('type', ['BORROW', 'REPAY'] as const);
    const asset = p.opt('asset');
    const isolated = p.optSymbol('isolatedSymbol');
    const txId = p.int('txId');
    // Binance: txId or startTime must be sent; the window is 30 days with an asset, 7 without.
    if (txId === undefined && p.int('startTime') === undefined) throw errors.eitherParam('txId', 'startTime');
    p.window(asset === undefined ? 7 : 30);
    const history = account(p).history;
    const rows = (type === 'BORROW' ? history.borrows : history.repays).filter(
      (r) =>
        (asset === undefined || r.asset === asset) &&
        r.isolatedSymbol === isolated &&
        (txId === undefined || r.txId === txId) &&
        p.inTime(r.timestamp as number),
    );
    return p.page(newestFirst(rows, 'timestamp'));
  });
  add('GET', 'margin/interestHistory', 'USER_DATA', 1, 'IP', (p) => {
    p.window(30);
    const asset = p.opt('asset');
    const isolated = p.optSymbol('isolatedSymbol');
    const rows = account(p).history.interest.filter(
      (r) =>
        (asset === undefined || r.asset === asset) &&
        r.isolatedSymbol === isolated &&
        p.inTime(r.interestAccuredTime as number),
    );
    const { rows: page, total } = p.page(newestFirst(rows, 'interestAccuredTime'));
    return { rows: page, total };
  });
  add('GET', 'margin/transfer', 'USER_DATA', 1, 'IP', (p) => {
    const asset = p.opt('asset');
    const type = p.oneOf('type', ['ROLL_IN', 'ROLL_OUT'] as const);
    const isolated = p.optSymbol('isolatedSymbol');
    p.window(30);
    // Rows saved before `scope` existed belonged to the pair they name.
    const scopeOf = (r: Row) =>
      r.scope === undefined ? (r.toSymbol ?? r.fromSymbol) : r.scope === 'CROSS' ? undefined : r.scope;
    const rows = account(p).history.transfers.filter(
      (r) =>
        (asset === undefined || r.asset === asset) &&
        (type === undefined || r.type === type) &&
        scopeOf(r) === isolated &&
        p.inTime(r.timestamp as number),
    );
    const { rows: page, total } = p.page(newestFirst(rows, 'timestamp'));
    return { rows: page.map(({ scope: _scope, ...row }) => row), total };
  });
  add('GET', 'margin/forceLiquidationRec', 'USER_DATA', 1, 'IP', (p) => {
    const isolated = p.optSymbol('isolatedSymbol');
    const rows = account(p).history.forceLiquidations.filter(
      (r) => (isolated === undefined || (r.isIsolated && r.symbol === isolated)) && p.inTime(r.updatedTime as number),
    );
    const { rows: page, total } = p.page(newestFirst(rows, 'updatedTime'));
    return { rows: page, total };
  });
  add('GET', 'margin/exchange-small-liability-history', 'USER_DATA', 100, 'UID', (p) => {
    p.reqInt('current');
    p.reqInt('size');
    const rows = account(p).history.smallLiability.filter((r) => p.inTime(r.timestamp as number));
    const { rows: page, total } = p.page(newestFirst(rows, 'timestamp'));
    return { total, rows: page };
  });
  add('GET', 'margin/liquidation-loan/repay-history', 'USER_DATA', 100, 'UID', (p) => {
    // Default window: the last 7 days; Binance keeps 90.
    const now = ex.now();
    const start = Math.max(p.int('startTime') ?? now - 7 * DAY_MS, now - 90 * DAY_MS);
    const end = p.int('endTime') ?? now;
    const rows = account(p).history.loanRepays.filter(
      (r) => (r.createTime as number) >= start && (r.createTime as number) <= end,
    );
    const { rows: page, total } = p.page(newestFirst(rows, 'createTime'), 50, 100);
    return { total, rows: page };
  });
}
