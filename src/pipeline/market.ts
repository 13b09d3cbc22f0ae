/**
 * What the rails and the preview read from Binance for one call (price indexes,
 * balances, the account), each read once: the early check, the preview and an ungated
 * execution share the answers.
 */
import type { Params } from '../catalog/index.js';
import type { SafetyRead } from '../catalog/reads.js';
import { freeBalance } from '../safety/preview.js';
import type { Market } from '../safety/rails.js';

export function callMarket(readFor: (role: SafetyRead, params: Params) => Promise<unknown>): Market {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) memo.set(key, (p = read()));
    return p;
  };
  const read = (role: SafetyRead, p: Params) => once(`${role}:${JSON.stringify(p)}`, () => readFor(role, p));
  return {
    read,
    index: (symbol) =>
      once(`index:${symbol}`, async () => {
        const price = ((await read('priceIndex', { symbol })) as { price?: unknown }).price;
        if (price === undefined || price === null) throw new Error(`no price index for ${symbol}`);
        return String(price);
      }),
    free: (asset, isolatedSymbol) => freeBalance(read, asset, isolatedSymbol),
  };
}
