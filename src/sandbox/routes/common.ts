/**
 * What the sandbox's route files share: the `add` that registers one endpoint, the
 * enums Binance validates, and small helpers. Each route file mirrors one toolset of
 * the catalog (src/catalog/endpoints/*), without importing it: the sandbox stands on
 * Binance's documentation alone.
 */
import { ZERO } from '../decimal.js';
import type { Balance, Row, SandboxExchange } from '../exchange.js';
import type { Params } from '../params.js';
import type { RouteContext, SandboxSecurity } from '../wire.js';

export const SIDES = ['BUY', 'SELL'] as const;
export const TIFS = ['GTC', 'IOC', 'FOK'] as const;
export const SIDE_EFFECTS = ['NO_SIDE_EFFECT', 'MARGIN_BUY', 'AUTO_REPAY', 'AUTO_BORROW_REPAY'] as const;
export const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
export const STP_MODES = ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'NONE'] as const;
export const TRUE_FALSE = ['TRUE', 'FALSE'] as const;
export const DAY_MS = 86_400_000;

/** Binance's example risk bars (GET tradeCoeff); the sandbox's margin level statuses use them too. */
export const BARS = { normalBar: '1.5', marginCallBar: '1.3', forceLiquidationBar: '1.1' };

export type Handler = (p: Params, ctx: RouteContext) => unknown;
export type Weight = number | ((p: Record<string, string>) => number);
/** Registers one endpoint under /sapi/v1/. */
export type Add = (
  method: string,
  path: string,
  security: SandboxSecurity,
  weight: Weight,
  per: 'IP' | 'UID',
  handle: Handler,
) => void;
/** A group of endpoints: registers its routes on an exchange. */
export type RouteGroup = (add: Add, ex: SandboxExchange) => void;

/** Orders that may borrow weigh 1500 (UID) since 2026-05-07; the others 6. */
export const orderWeight = (p: Record<string, string>) =>
  p.sideEffectType === 'MARGIN_BUY' || p.sideEffectType === 'AUTO_BORROW_REPAY' ? 1500 : 6;

export const newestFirst = (rows: Row[], field: string): Row[] =>
  [...rows].reverse().sort((a, b) => (b[field] as number) - (a[field] as number));

export const empty = (): Balance => ({ free: ZERO, locked: ZERO, borrowed: ZERO, interest: ZERO });
