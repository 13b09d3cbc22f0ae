/**
 * The endpoint catalog: every Binance margin endpoint this server exposes, as data.
 * The 61 of the margin-trading skill plus those Binance added since, and the wallet's
 * margin transfers (addedAfterSkill).
 */
import type { z } from 'zod';
import type { Weight } from '../binance/limiter.js';
import { accountEndpoints } from './endpoints/account.js';
import { borrowEndpoints } from './endpoints/borrow.js';
import { historyEndpoints } from './endpoints/history.js';
import { isolatedEndpoints } from './endpoints/isolated.js';
import { specialKeyEndpoints, userStreamEndpoints } from './endpoints/keys.js';
import { marketEndpoints } from './endpoints/market.js';
import { tradeEndpoints } from './endpoints/trade.js';
import { transferEndpoints } from './endpoints/transfer.js';
import { isSigned } from '../binance/client.js';
import { recvWindow } from './params.js';
import type { Endpoint, Params } from './types.js';

export * from './types.js';

export const CATALOG: readonly Endpoint[] = [
  ...accountEndpoints,
  ...tradeEndpoints,
  ...borrowEndpoints,
  ...isolatedEndpoints,
  ...marketEndpoints,
  ...historyEndpoints,
  ...specialKeyEndpoints,
  ...userStreamEndpoints,
  ...transferEndpoints,
];

export const endpointId = (e: Pick<Endpoint, 'method' | 'path'>) => `${e.method} ${e.path}`;

const byName = new Map(CATALOG.map((e) => [e.name, e]));
export const findEndpoint = (name: string): Endpoint | undefined => byName.get(name);

const built = new WeakMap<Endpoint, Record<string, z.ZodType>>();
/** An endpoint's parameter schemas, built on first use; `recvWindow` is added here, not written in 50 entries. */
export function paramsOf(e: Endpoint): Record<string, z.ZodType> {
  let params = built.get(e);
  if (!params) {
    params = e.params();
    if (e.recvWindow ?? isSigned(e.security)) params = { ...params, recvWindow: recvWindow().optional() };
    built.set(e, params);
  }
  return params;
}

export function weightOf(e: Endpoint, params: Params): Weight {
  return typeof e.weight === 'function' ? e.weight(params) : e.weight;
}

/** True when a write must pass the confirmation gate on Mainnet. */
export const isGated = (e: Endpoint) => e.write && !e.ungated;
