/**
 * Margin-aware previews for the confirmation gate (docs/contract.md §9): before asking
 * the user, read what the action will do to the account (its value, what it may
 * borrow against the max borrowable, the next hourly interest, the margin level).
 * A read that fails is listed under `unavailable`; the gate still works.
 */
import type { Endpoint, Params } from '../catalog/index.js';
import type { SafetyRead } from '../catalog/reads.js';
import type { Market } from './rails.js';
import { orderFill, project, type Fill, type RiskInput, type Side } from './risk.js';
import { isOrder, mayBorrow, orderBorrow, splitSymbol, usdtPrice, callValue } from './valuation.js';

export interface Preview {
  valueUsdt?: string;
  priceUsed?: string;
  borrow?: { asset: string; amount: string; maxBorrowable: string };
  maxBorrowable?: string;
  nextHourlyInterestRate?: string;
  leverage?: { current: string; requested: string };
  marginLevel?: string;
  /**
   * Projected risk (safety/risk.ts): the level after the action fills, Binance's bars, and the prices that reach them.
   */
  marginLevelAfter?: string;
  marginCallLevel?: string;
  liquidationLevel?: string;
  marginCallPrice?: string;
  liquidationPrice?: string;
  unavailable?: string[];
}

/**
 * Reads a catalog endpoint by its role (catalog/reads.ts); supplied by the pipeline, so it counts weight like any call.
 */
export type Reader = (role: SafetyRead, params: Params) => Promise<unknown>;

const dec = (v: number, places = 8) => (Number.isFinite(v) ? v.toFixed(places).replace(/\.?0+$/, '') || '0' : 'NaN');
const usd = (v: number) => v.toFixed(2);
const group = (v: string) => Number(v).toLocaleString('en-US', { maximumFractionDigits: 8 });

export async function buildPreview(
  endpoint: Endpoint,
  p: Params,
  read: Reader,
  market: Market,
): Promise<{ preview: Preview; phrase: string }> {
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

  if (isOrder(endpoint) || endpoint.valuation === 'borrow-repay' || endpoint.valuation === 'transfer') {
    await attempt('value', async () => {
      const v = await callValue(endpoint, p, index);
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
      const max = (await read('maxBorrowable', {
        asset: borrow.asset,
        ...(isolated ? { isolatedSymbol: p.symbol } : {}),
      })) as { amount?: string };
      preview.borrow = { asset: borrow.asset, amount: dec(borrow.amount), maxBorrowable: String(max.amount) };
      phrases.push(
        borrow.amount > 0
          ? `may borrow up to ${group(dec(borrow.amount))} ${borrow.asset} (max borrowable ` +
              `${group(String(max.amount))})`
          : `borrows nothing: the free ${borrow.asset} covers it`,
      );
    });
  }

  if (endpoint.valuation === 'borrow-repay' && p.type === 'BORROW') {
    await attempt('maxBorrowable', async () => {
      const max = (await read('maxBorrowable', {
        asset: p.asset,
        ...(isolated ? { isolatedSymbol: p.symbol } : {}),
      })) as { amount?: string };
      preview.maxBorrowable = String(max.amount);
      phrases.push(`max borrowable ${group(preview.maxBorrowable)} ${p.asset}`);
    });
    await attempt('nextHourlyInterestRate', async () => {
      const rates = (await read('nextHourlyInterest', {
        assets: p.asset,
        isIsolated: isolated ? 'TRUE' : 'FALSE',
      })) as { asset: string; nextHourlyInterestRate: string }[];
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
        const acc = (await read('isolatedAccount', { symbols: p.symbol })) as {
          assets?: { symbol: string; marginLevel: string }[];
        };
        const level = acc.assets?.find((a) => a.symbol === p.symbol)?.marginLevel;
        if (level === undefined) throw new Error('no isolated account');
        preview.marginLevel = level;
      } else {
        const acc = (await read('crossAccount', {})) as { marginLevel?: string };
        if (acc.marginLevel === undefined) throw new Error('no margin level');
        preview.marginLevel = acc.marginLevel;
      }
    });
  }
  if (isOrder(endpoint) || endpoint.valuation === 'borrow-repay') {
    await attempt('projected risk', async () => {
      const risk = await projectedRisk(endpoint, p, read, market, isolated);
      if (!risk) return;
      Object.assign(preview, risk.figures);
      unavailable.push(...risk.unavailable);
      if (risk.phrase) phrases.push(risk.phrase);
    });
  }
  if (unavailable.length) preview.unavailable = unavailable;
  return { preview, phrase: phrases.join(', ') };
}

interface AssetRow {
  asset: string;
  free: string;
  locked: string;
  borrowed: string;
  interest: string;
}
const side = (row: AssetRow | undefined, asset: string): Side =>
  row
    ? { asset, held: Number(row.free) + Number(row.locked), debt: Number(row.borrowed) + Number(row.interest) }
    : { asset, held: 0, debt: 0 };

/**
 * The margin level after the action and the index prices of its symbol that reach the
 * margin-call and liquidation levels; from the account, threshold and price reads the
 * preview already makes (each read once per call).
 */
async function projectedRisk(endpoint: Endpoint, p: Params, read: Reader, market: Market, isolated: boolean) {
  const bars = (await read('marginThresholds', {})) as { marginCallBar?: string; forceLiquidationBar?: string };
  const marginCallLevel = Number(bars.marginCallBar);
  const liquidationLevel = Number(bars.forceLiquidationBar);
  if (!(marginCallLevel > 0 && liquidationLevel > 0)) throw new Error('no thresholds');
  const borrowRepay = endpoint.valuation === 'borrow-repay';
  const symbol = p.symbol === undefined ? undefined : String(p.symbol);
  // A cross borrow names an asset, maybe no pair: its level moves, no pair's price is projected.
  const parts = symbol ? splitSymbol(symbol) : undefined;
  const assetOnly = borrowRepay && (!parts || (p.asset !== parts.base && p.asset !== parts.quote));
  const base = assetOnly ? String(p.asset) : parts?.base;
  const quote = assetOnly ? 'USDT' : parts?.quote;
  if (!base || !quote) throw new Error('unknown pair');
  const index = assetOnly ? await usdtPrice(base, market.index) : Number(await market.index(symbol!));
  const quoteUsdt = await usdtPrice(quote, market.index);

  let input: RiskInput;
  if (isolated && symbol) {
    const acc = (await read('isolatedAccount', { symbols: symbol })) as {
      assets?: { symbol: string; baseAsset: AssetRow; quoteAsset: AssetRow }[];
    };
    const pair = acc.assets?.find((a) => a.symbol === symbol);
    if (!pair) throw new Error('no isolated account');
    const b = side(pair.baseAsset, base);
    const q = side(pair.quoteAsset, quote);
    input = {
      assetsUsdt: (b.held * index + q.held) * quoteUsdt,
      liabilitiesUsdt: (b.debt * index + q.debt) * quoteUsdt,
      base: b,
      quote: q,
      index,
      quoteUsdt,
      marginCallLevel,
      liquidationLevel,
    };
  } else {
    const acc = (await read('crossAccount', {})) as {
      totalAssetOfBtc?: string;
      totalLiabilityOfBtc?: string;
      userAssets?: AssetRow[];
    };
    const btcUsdt = await usdtPrice('BTC', market.index);
    const row = (a: string) => acc.userAssets?.find((r) => r.asset === a);
    input = {
      assetsUsdt: Number(acc.totalAssetOfBtc) * btcUsdt,
      liabilitiesUsdt: Number(acc.totalLiabilityOfBtc) * btcUsdt,
      base: side(row(base), base),
      quote: side(row(quote), quote),
      index,
      quoteUsdt,
      marginCallLevel,
      liquidationLevel,
    };
  }
  if (!Number.isFinite(input.assetsUsdt) || !Number.isFinite(input.liabilitiesUsdt))
    throw new Error('no account totals');

  let fill: Fill;
  if (borrowRepay) {
    const amount = Number(p.amount) * (p.type === 'BORROW' ? 1 : -1);
    fill =
      p.asset === base
        ? { baseDelta: amount, quoteDelta: 0, baseDebtDelta: amount, quoteDebtDelta: 0 }
        : { baseDelta: 0, quoteDelta: amount, baseDebtDelta: 0, quoteDebtDelta: amount };
  } else {
    // The order fills as asked: its largest leg at its own price (a market order at the index), with its borrow.
    const borrow = await orderBorrow(endpoint, p, market.index, market.free);
    const leg = endpoint.orderLegs![0];
    const quantity =
      p[leg.quantity] !== undefined ? Number(p[leg.quantity]) : Number(p[leg.quoteQuantity ?? '']) / index;
    const named = leg.prices.map((n) => p[n]).find((v) => v !== undefined);
    fill = orderFill(
      p[leg.side] === 'SELL' ? 'SELL' : 'BUY',
      quantity,
      named !== undefined ? Number(named) : index,
      borrow?.amount ?? 0,
    );
  }
  const r = project(input, fill);
  const figures: Partial<Preview> = {
    marginLevelAfter: dec(r.marginLevelAfter!),
    marginCallLevel: String(bars.marginCallBar),
    liquidationLevel: String(bars.forceLiquidationBar),
    ...(r.marginCallPrice !== undefined ? { marginCallPrice: dec(r.marginCallPrice) } : {}),
    ...(r.liquidationPrice !== undefined ? { liquidationPrice: dec(r.liquidationPrice) } : {}),
  };
  const after = r.marginLevelAfter!;
  const where = assetOnly ? '' : ` (${symbol} at ${group(dec(r.liquidationPrice ?? NaN))})`;
  let phrase: string;
  if (after <= liquidationLevel)
    phrase =
      `AT LIQUIDATION after it fills: margin level ${group(dec(after, 4))}, liquidation at ` +
      `${bars.forceLiquidationBar}`;
  else if (after <= marginCallLevel)
    phrase =
      `AT MARGIN CALL after it fills: margin level ${group(dec(after, 4))}, margin call at ` + `${bars.marginCallBar}`;
  else
    phrase =
      `margin level after it fills ` +
      `${group(dec(after, 4))}${r.liquidationPrice !== undefined && !assetOnly ? `, liquidation${where}` : ''}`;
  return { figures, unavailable: assetOnly ? [] : r.unavailable, phrase };
}

/** The free balance of an asset in the cross account, or in the isolated account of a symbol. */
export async function freeBalance(read: Reader, asset: string, isolatedSymbol?: string): Promise<number> {
  if (isolatedSymbol) {
    const acc = (await read('isolatedAccount', { symbols: isolatedSymbol })) as {
      assets?: {
        symbol: string;
        baseAsset: { asset: string; free: string };
        quoteAsset: { asset: string; free: string };
      }[];
    };
    const pair = acc.assets?.find((a) => a.symbol === isolatedSymbol);
    const side = pair && [pair.baseAsset, pair.quoteAsset].find((s) => s.asset === asset);
    return side ? Number(side.free) : 0;
  }
  const acc = (await read('crossAccount', {})) as { userAssets?: { asset: string; free: string }[] };
  return Number(acc.userAssets?.find((a) => a.asset === asset)?.free ?? 0);
}
