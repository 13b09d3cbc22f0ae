/** Binance's streams: the listen token for order and balance updates, and the Risk Data Stream's listen key. */
import type { SandboxExchange } from '../exchange.js';
import { errors } from '../errors.js';
import type { Add } from './common.js';

export function registerUserStreamRoutes(add: Add, ex: SandboxExchange): void {
  add('POST', 'userListenToken', 'USER_STREAM', 1, 'UID', (p) => {
    const isolated = p.bool('isIsolated', false);
    const symbol = p.optSymbol();
    if (isolated && !symbol) p.req('symbol');
    const validity = p.int('validity') ?? 86_400_000;
    if (validity < 1 || validity > 86_400_000) throw errors.invalidParam('validity');
    return ex.keys.openListenToken(p.accountId, isolated ? symbol : undefined, validity);
  });
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
