/**
 * What a state-changing call is worth in USDT, for the limits and the preview.
 * Orders are valued at quantity × price (a market order at the price index, an
 * order list at its largest leg, quoteOrderQty as given); borrows at amount × the
 * asset's USDT price; other quote assets are converted at the price index.
 */
import type { Endpoint, Params } from '../catalog/index.js';

/** Quote assets we recognise at the end of a symbol, longest first. */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'EUR', 'TRY', 'BRL', 'BTC', 'ETH', 'BNB', 'DAI', 'JPY'];

export function splitSymbol(symbol: string): { base: string; quote: string } | undefined {
  for (const q of QUOTES) if (symbol.endsWith(q) && symbol.length > q.length) return { base: symbol.slice(0, -q.length), quote: q };
  return undefined;
}

export type PriceIndex = (symbol: string) => Promise<string>;

export interface Value {
  valueUsdt: number;
  /** The price the order was valued at (as Binance writes decimals). */
  priceUsed?: string;
  /** What the value is of: 'order', 'borrow', 'repay'. */
  what: 'order' | 'borrow' | 'repay';
}

const n = (v: unknown) => (v === undefined ? undefined : Number(v));

/** USDT per one unit of an asset. */
export async function usdtPrice(asset: string, index: PriceIndex): Promise<number> {
  if (asset === 'USDT') return 1;
  return Number(await index(`${asset}USDT`));
}

export async function valueOf(endpoint: Endpoint, p: Params, index: PriceIndex): Promise<Value | undefined> {
  switch (endpoint.valuation) {
    case 'order':
      return orderValue(p, index);
    case 'oco':
    case 'oto':
    case 'otoco':
      return listValue(endpoint.valuation, p, index);
    case 'borrow-repay': {
      const amount = Number(p.amount);
      const price = await usdtPrice(String(p.asset), index);
      return { valueUsdt: amount * price, priceUsed: String(price), what: p.type === 'BORROW' ? 'borrow' : 'repay' };
    }
    default:
      return undefined;
  }
}

async function toUsdt(symbol: string, quoteAmount: number, index: PriceIndex): Promise<number> {
  const parts = splitSymbol(symbol);
  if (!parts) throw new Error(`cannot tell the quote asset of ${symbol}`);
  return quoteAmount * (await usdtPrice(parts.quote, index));
}

async function orderValue(p: Params, index: PriceIndex): Promise<Value> {
  const symbol = String(p.symbol);
  if (p.quoteOrderQty !== undefined) return { valueUsdt: await toUsdt(symbol, Number(p.quoteOrderQty), index), what: 'order' };
  let price = (p.price ?? p.stopPrice) as string | undefined;
  if (price === undefined) price = await index(symbol);
  return { valueUsdt: await toUsdt(symbol, Number(p.quantity) * Number(price), index), priceUsed: price, what: 'order' };
}

async function listValue(kind: 'oco' | 'oto' | 'otoco', p: Params, index: PriceIndex): Promise<Value> {
  const symbol = String(p.symbol);
  const legs: { qty?: number; price?: string }[] = [];
  if (kind === 'oco') {
    legs.push({ qty: n(p.quantity), price: p.price as string }, { qty: n(p.quantity), price: (p.stopLimitPrice ?? p.stopPrice) as string });
  } else {
    legs.push({ qty: n(p.workingQuantity), price: p.workingPrice as string });
    if (kind === 'oto') legs.push({ qty: n(p.pendingQuantity), price: (p.pendingPrice ?? p.pendingStopPrice) as string | undefined });
    else
      legs.push(
        { qty: n(p.pendingQuantity), price: (p.pendingAbovePrice ?? p.pendingAboveStopPrice) as string | undefined },
        { qty: n(p.pendingQuantity), price: (p.pendingBelowPrice ?? p.pendingBelowStopPrice) as string | undefined },
      );
  }
  let best: Value = { valueUsdt: 0, what: 'order' };
  for (const leg of legs) {
    if (leg.qty === undefined) continue;
    const price = leg.price ?? (await index(symbol));
    const v = await toUsdt(symbol, leg.qty * Number(price), index);
    if (v > best.valueUsdt) best = { valueUsdt: v, priceUsed: price, what: 'order' };
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
  } else if (endpoint.valuation && endpoint.valuation !== 'none' && p.symbol !== undefined) symbols.push(String(p.symbol));
  return { symbols, assets };
}
