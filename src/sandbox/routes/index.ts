/**
 * The margin endpoints of the sandbox: each reads its parameters as Binance does,
 * calls the exchange, and answers in Binance's documented shape. Security types come
 * from Binance's docs, weights from Binance's docs or its connector (endpoint per
 * endpoint; orders weigh 1500 instead of 6 when they may borrow). One file per group
 * of the catalog.
 */
import type { SandboxExchange } from '../exchange.js';
import { Params } from '../params.js';
import type { Route, SandboxWire } from '../wire.js';
import { registerAccountRoutes } from './account.js';
import { registerBorrowRoutes } from './borrow.js';
import type { Add, RouteGroup } from './common.js';
import { registerHistoryRoutes } from './history.js';
import { registerIsolatedRoutes } from './isolated.js';
import { registerMarketRoutes } from './market.js';
import { registerSpecialKeyRoutes } from './special-keys.js';
import { registerTradeRoutes } from './trade.js';
import { registerTransferRoutes } from './transfer.js';
import { registerUserStreamRoutes } from './user-stream.js';

export interface RouteHooks {
  /** After every request that may have changed state (persistence). */
  afterWrite?: () => void;
}

const GROUPS: RouteGroup[] = [
  registerAccountRoutes,
  registerTradeRoutes,
  registerBorrowRoutes,
  registerIsolatedRoutes,
  registerMarketRoutes,
  registerHistoryRoutes,
  registerSpecialKeyRoutes,
  registerUserStreamRoutes,
  registerTransferRoutes,
];

export function registerRoutes(wire: SandboxWire, ex: SandboxExchange, hooks: RouteHooks = {}): void {
  const add: Add = (method, path, security, weight, per, handle) => {
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
  for (const group of GROUPS) group(add, ex);
}
