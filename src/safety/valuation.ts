/**
 * What a state-changing call is worth in USDT, for the limits and the preview.
 *
 * An order is valued at the most it can trade for: its quantity × the largest of
 * every price it names (limit, stop, stop-limit) and the current price index, so a
 * SELL at price 1 is worth what the market would pay, not 1. An order list is valued
 * at its largest leg; `quoteOrderQty` counts as given. An order with sideEffectType
 * MARGIN_BUY / AUTO_BORROW_REPAY may also borrow: what it needs beyond the free
 * balance, valued the same way. Borrows are valued at amount × the asset's USDT
 * price. Other quote assets are converted at the price index.
 *
 * Prices fail closed: a price index (or conversion price) that is not a finite
 * number in Binance's range refuses the write, because a limit compared with NaN or
 * with 1e-300 lets anything through.
 */
import type { Endpoint, OrderLeg, Params } from '../catalog/index.js';
import { policyError } from '../errors.js';

/** Quote assets we recognise at the end of a symbol, longest first. */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'EUR', 'TRY', 'BRL', 'BTC', 'ETH', 'BNB', 'DAI', 'JPY'];

export function splitSymbol(symbol: string): { base: string; quote: string } | undefined {
  for (const q of QUOTES)
    if (symbol.endsWith(q) && symbol.length > q.length) return { base: symbol.slice(0, -q.length), quote: q };
  return undefined;
}

/** Reads Binance's price index of a symbol (memoised per call by the pipeline). */
export type PriceIndex = (symbol: string) => Promise<string>;
/** The free balance of an asset, in the cross account or the isolated account of a symbol. */
export type FreeBalance = (asset: string, isolatedSymbol?: string) => Promise<number>;

export interface Value {
  valueUsdt: number;
  /** The price the order was valued at (as Binance writes decimals). */
  priceUsed?: string;
  what: 'order' | 'borrow' | 'repay' | 'transfer';
}

export interface OrderBorrow {
  asset: string;
  /** What the order may borrow of `asset`: what it needs beyond the free balance. */
  amount: number;
  valueUsdt: number;
}

/** Binance quotes no price outside this range (tick sizes stop at 1e-8). */
const MIN_PRICE = 1e-8;
const MAX_PRICE = 1e12;

/** A price index as a number, or a policy refusal naming the symbol and the price. */
export async function checkedIndex(symbol: string, index: PriceIndex): Promise<{ text: string; value: number }> {
  const text = await index(symbol);
  const value = Number(text);
  if (!(Number.isFinite(value) && value >= MIN_PRICE && value <= MAX_PRICE))
    throw policyError(
      `The price index of ${symbol} is ${JSON.stringify(String(text)).slice(0, 40)}, which is not a usable price; ` +
        `the write was refused (prices fail closed).`,
      'Try again later.',
    );
  return { text, value };
}

/** USDT per one unit of an asset. */
export async function usdtPrice(asset: string, index: PriceIndex): Promise<number> {
  if (asset === 'USDT') return 1;
  return (await checkedIndex(`${asset}USDT`, index)).value;
}

export const isOrder = (e: Endpoint): boolean => !!e.orderLegs?.length;
export const mayBorrow = (p: Params): boolean =>
  p.sideEffectType === 'MARGIN_BUY' || p.sideEffectType === 'AUTO_BORROW_REPAY';

export async function callValue(endpoint: Endpoint, p: Params, index: PriceIndex): Promise<Value | undefined> {
  if (isOrder(endpoint)) return orderValue(endpoint.orderLegs!, p, index);
  if (endpoint.valuation === 'transfer' && endpoint.move) {
    const move = endpoint.move(p);
    const price = await usdtPrice(move.asset, index);
    return { valueUsdt: Number(move.amount) * price, priceUsed: String(price), what: 'transfer' };
  }
  if (endpoint.valuation === 'borrow-repay') {
    const amount = Number(p.amount);
    const price = await usdtPrice(String(p.asset), index);
    return { valueUsdt: amount * price, priceUsed: String(price), what: p.type === 'BORROW' ? 'borrow' : 'repay' };
  }
  return undefined;
}

async function toUsdt(symbol: string, quoteAmount: number, index: PriceIndex): Promise<number> {
  const parts = splitSymbol(symbol);
  if (!parts) throw new Error(`cannot tell the quote asset of ${symbol}`);
  return quoteAmount * (await usdtPrice(parts.quote, index));
}

/** The highest of the leg's named prices and the index: the most one unit can trade for. */
async function worstPrice(leg: OrderLeg, p: Params, symbol: string, index: PriceIndex): Promise<string> {
  let best = (await checkedIndex(symbol, index)).text;
  for (const name of leg.prices) {
    const named = p[name];
    if (named !== undefined && Number(named) > Number(best)) best = String(named);
  }
  return best;
}

/** Each leg's value, with the price it was taken at; legs absent from the call are skipped. */
async function legValues(
  legs: OrderLeg[],
  p: Params,
  index: PriceIndex,
): Promise<{ leg: OrderLeg; valueUsdt: number; priceUsed?: string; quoteAmount: number }[]> {
  const symbol = String(p.symbol);
  const out = [];
  for (const leg of legs) {
    const quote = leg.quoteQuantity ? p[leg.quoteQuantity] : undefined;
    if (quote !== undefined) {
      out.push({ leg, valueUsdt: await toUsdt(symbol, Number(quote), index), quoteAmount: Number(quote) });
      continue;
    }
    const qty = p[leg.quantity];
    if (qty === undefined) continue;
    const price = await worstPrice(leg, p, symbol, index);
    const quoteAmount = Number(qty) * Number(price);
    out.push({ leg, valueUsdt: await toUsdt(symbol, quoteAmount, index), priceUsed: price, quoteAmount });
  }
  return out;
}

async function orderValue(legs: OrderLeg[], p: Params, index: PriceIndex): Promise<Value> {
  let best: Value = { valueUsdt: 0, what: 'order' };
  for (const v of await legValues(legs, p, index))
    if (v.valueUsdt > best.valueUsdt) best = { valueUsdt: v.valueUsdt, priceUsed: v.priceUsed, what: 'order' };
  return best;
}

/**
 * What an order that borrows (MARGIN_BUY, AUTO_BORROW_REPAY) may borrow: per leg, what
 * it needs (a BUY the quote amount at its worst price, a SELL the base quantity) beyond
 * the free balance; the largest leg, as for the value. Undefined when it cannot borrow.
 */
export async function orderBorrow(
  endpoint: Endpoint,
  p: Params,
  index: PriceIndex,
  free: FreeBalance,
): Promise<OrderBorrow | undefined> {
  if (!isOrder(endpoint) || !mayBorrow(p)) return undefined;
  const symbol = String(p.symbol);
  const parts = splitSymbol(symbol);
  if (!parts) throw new Error(`cannot tell the quote asset of ${symbol}`);
  const isolated = p.isIsolated === 'TRUE' ? symbol : undefined;
  let best: OrderBorrow | undefined;
  for (const v of await legValues(endpoint.orderLegs!, p, index)) {
    const buy = p[v.leg.side] === 'BUY';
    const asset = buy ? parts.quote : parts.base;
    const need = buy ? v.quoteAmount : Number(p[v.leg.quantity]);
    const amount = Math.max(0, need - (await free(asset, isolated)));
    const valueUsdt = buy
      ? await toUsdt(symbol, amount, index)
      : await toUsdt(symbol, amount * (await checkedIndex(symbol, index)).value, index);
    if (!best || valueUsdt > best.valueUsdt) best = { asset, amount, valueUsdt };
  }
  return best;
}

/** The symbols and assets an action touches, for the Allowed Symbols limit. */
export function touched(endpoint: Endpoint, p: Params): { symbols: string[]; assets: string[] } {
  const symbols: string[] = [];
  const assets: string[] = [];
  if (endpoint.valuation === 'borrow-repay') {
    assets.push(String(p.asset));
    if (p.isIsolated === 'TRUE') symbols.push(String(p.symbol));
  } else if (endpoint.valuation === 'transfer' && endpoint.move) {
    // Collateral moved into or out of an isolated pair: that pair must be allowed.
    const move = endpoint.move(p);
    for (const s of [move.fromSymbol, move.toSymbol]) if (s !== undefined) symbols.push(s);
  } else if (endpoint.valuation && endpoint.valuation !== 'none' && p.symbol !== undefined)
    symbols.push(String(p.symbol));
  return { symbols, assets };
}
