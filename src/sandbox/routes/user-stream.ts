/** Binance's user data streams: the margin listen key. */
import type { SandboxExchange } from '../exchange.js';
import type { Add } from './common.js';

export function registerUserStreamRoutes(add: Add, ex: SandboxExchange): void {
  add('POST', 'margin/listen-key', 'USER_STREAM', 1, 'UID', (p) => ({ listenKey: ex.keys.openListenKey(p.accountId) }));
  add('PUT', 'margin/listen-key', 'USER_STREAM', 1, 'UID', (p) => {
    ex.keys.keepListenKey(p.accountId, p.req('listenKey'));
    return {};
  });
  add('DELETE', 'margin/listen-key', 'USER_STREAM', 3000, 'UID', (p) => {
    ex.keys.closeListenKey(p.accountId, p.opt('listenKey'));
    return {};
  });
}
