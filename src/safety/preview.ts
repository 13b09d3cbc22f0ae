/**
 * Margin-aware previews for the confirmation gate (interface.md §9): before asking
 * the user, read what the action will do to the account (its value, what it may
 * borrow against the max borrowable, the next hourly interest, the margin level).
 * A read that fails is listed under `unavailable`; the gate still works.
 */
import type { Endpoint, Params } from '../catalog/index.js';
import type { Market } from './rails.js';
import { isOrder, mayBorrow, orderBorrow, valueOf } from './valuation.js';

export interface Preview {
  valueUsdt?: string;
  priceUsed?: string;
  borrow?: { asset: string; amount: string; maxBorrowable: string };
  maxBorrowable?: string;
  nextHourlyInterestRate?: string;
  leverage?: { current: string; requested: string };
  marginLevel?: string;
  unavailable?: string[];
}

/** Reads a catalog endpoint by tool name; supplied by the pipeline, so it counts weight like any call. */
export type Reader = (tool: string, params: Params) => Promise<unknown>;

const dec = (v: number, places = 8) => (Number.isFinite(v) ? v.toFixed(places).replace(/\.?0+$/, '') || '0' : 'NaN');
const usd = (v: number) => v.toFixed(2);
const group = (v: string) => Number(v).toLocaleString('en-US', { maximumFractionDigits: 8 });

export async function buildPreview(endpoint: Endpoint, p: Params, read: Reader, market: Market): Promise<{ preview: Preview; phrase: string }> {
  const index = market.index;
  const preview: Preview = {};
  const unavailable: string[] = [];
  const phrases: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch {
      unavailable.push(what);
    }
  };
  const isolated = p.isIsolated === 'TRUE' || endpoint.isolatedOnly === true;

  if (isOrder(endpoint) || endpoint.valuation === 'borrow-repay') {
    await attempt('value', async () => {
      const v = await valueOf(endpoint, p, index);
      if (!v) return;
      preview.valueUsdt = usd(v.valueUsdt);
      if (v.priceUsed && v.what === 'order') preview.priceUsed = v.priceUsed;
      phrases.push(`≈ ${group(preview.valueUsdt)} USDT`);
    });
  }

  if (isOrder(endpoint) && mayBorrow(p)) {
    await attempt('borrow', async () => {
      // The same figure the Max Borrow Value limit checks (safety/valuation.ts).
      const borrow = await orderBorrow(endpoint, p, index, market.free);
      if (!borrow) return;
      const max = (await read('get_max_borrowable', { asset: borrow.asset, ...(isolated ? { isolatedSymbol: p.symbol } : {}) })) as { amount?: string };
      preview.borrow = { asset: borrow.asset, amount: dec(borrow.amount), maxBorrowable: String(max.amount) };
      phrases.push(`may borrow up to ${group(dec(borrow.amount))} ${borrow.asset} (max borrowable ${group(String(max.amount))})`);
    });
  }

  if (endpoint.valuation === 'borrow-repay' && p.type === 'BORROW') {
    await attempt('maxBorrowable', async () => {
      const max = (await read('get_max_borrowable', { asset: p.asset, ...(isolated ? { isolatedSymbol: p.symbol } : {}) })) as { amount?: string };
      preview.maxBorrowable = String(max.amount);
      phrases.push(`max borrowable ${group(preview.maxBorrowable)} ${p.asset}`);
    });
    await attempt('nextHourlyInterestRate', async () => {
      const rates = (await read('get_next_hourly_interest_rate', { assets: p.asset, isIsolated: isolated ? 'TRUE' : 'FALSE' })) as { asset: string; nextHourlyInterestRate: string }[];
      const rate = rates.find((r) => r.asset === p.asset)?.nextHourlyInterestRate;
      if (rate === undefined) throw new Error('no rate');
      preview.nextHourlyInterestRate = rate;
      phrases.push(`next hourly interest rate ${rate}`);
    });
  }

  if (endpoint.leverageParam) {
    preview.leverage = { current: 'unknown', requested: String(p[endpoint.leverageParam]) };
    unavailable.push('current max leverage (Binance offers no endpoint that reads it)');
  }

  if (endpoint.write) {
    await attempt('marginLevel', async () => {
      if (isolated && p.symbol !== undefined) {
        const acc = (await read('get_isolated_account', { symbols: p.symbol })) as { assets?: { symbol: string; marginLevel: string }[] };
        const level = acc.assets?.find((a) => a.symbol === p.symbol)?.marginLevel;
        if (level === undefined) throw new Error('no isolated account');
        preview.marginLevel = level;
      } else {
        const acc = (await read('get_cross_margin_account', {})) as { marginLevel?: string };
        if (acc.marginLevel === undefined) throw new Error('no margin level');
        preview.marginLevel = acc.marginLevel;
      }
    });
  }
  if (unavailable.length) preview.unavailable = unavailable;
  return { preview, phrase: phrases.join(', ') };
}

/** The free balance of an asset in the cross account, or in the isolated account of a symbol. */
export async function freeBalance(read: Reader, asset: string, isolatedSymbol?: string): Promise<number> {
  if (isolatedSymbol) {
    const acc = (await read('get_isolated_account', { symbols: isolatedSymbol })) as {
      assets?: { symbol: string; baseAsset: { asset: string; free: string }; quoteAsset: { asset: string; free: string } }[];
    };
    const pair = acc.assets?.find((a) => a.symbol === isolatedSymbol);
    const side = pair && [pair.baseAsset, pair.quoteAsset].find((s) => s.asset === asset);
    return side ? Number(side.free) : 0;
  }
  const acc = (await read('get_cross_margin_account', {})) as { userAssets?: { asset: string; free: string }[] };
  return Number(acc.userAssets?.find((a) => a.asset === asset)?.free ?? 0);
}
