/**
 * A simple depth model, so that agents meet partial fills here before they meet them
 * on Binance. The book has the same depth at every level: DEPTH_USDT worth of the
 * base asset, levels 5 bips apart (at least one tick) from the index price outwards.
 * A taker walks the levels until it is filled, its limit price is reached or the
 * modelled book ends; a resting maker order fills at most one level's depth per price
 * move that reaches it.
 */
import { div, floorTo, max, mul, ZERO, type Dec } from './decimal.js';
import { type PriceFeed, type SymbolInfo, symbolInfo } from './market.js';
import { hasLimitPrice, type Side } from './order-types.js';

/** Depth per level, in USDT. Orders worth less fill at once, as before the model. */
export const DEPTH_USDT = 100_000n * 100_000_000n;
/** Levels a taker may walk before the modelled book ends. */
const LEVELS = 50;
const STEP_BIPS = 5n;

export interface Fill {
  qty: Dec;
  price: Dec;
}

/** Base quantity one level holds at `price`. */
export function levelQty(info: SymbolInfo, prices: PriceFeed, price: Dec, depthUsdt: Dec = DEPTH_USDT): Dec {
  return max(info.stepSize, floorTo(div(prices.fromUsdt(info.quote, depthUsdt), price), info.stepSize));
}

/**
 * The fills a taker of `qty` gets from the index price `market` outwards (up for a BUY,
 * down for a SELL), stopping at `limit` when given. What is left unfilled is qty − Σ fills.
 */
export function walk(
  info: SymbolInfo,
  prices: PriceFeed,
  side: Side,
  market: Dec,
  qty: Dec,
  limit?: Dec,
  depthUsdt?: Dec,
): Fill[] {
  const step = max(info.tickSize, floorTo((market * STEP_BIPS) / 10_000n, info.tickSize));
  const fills: Fill[] = [];
  let rest = qty;
  for (let i = 0n; i < BigInt(LEVELS) && rest > 0n; i++) {
    const price = side === 'BUY' ? market + step * i : market - step * i;
    if (price <= 0n) break;
    if (limit !== undefined && (side === 'BUY' ? price > limit : price < limit)) break;
    const level = levelQty(info, prices, price, depthUsdt);
    // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers only).
    const take = rest < level ? rest : level;
    fills.push({ qty: take, price });
    rest -= take;
  }
  return fills;
}

/** Σ qty of a walk, and what it costs in quote. */
export function totals(fills: Fill[]): { qty: Dec; quote: Dec } {
  return fills.reduce((t, f) => ({ qty: t.qty + f.qty, quote: t.quote + mul(f.qty, f.price) }), {
    qty: ZERO,
    quote: ZERO,
  });
}

/** The fills a taker order would get now from the modelled book. */
export function planFills(
  ex: { prices: Parameters<typeof walk>[1]; depthUsdt: Dec },
  o: {
    symbol: string;
    side: Side;
    origQty: Dec;
    executedQty: Dec;
    type: Parameters<typeof hasLimitPrice>[0];
    price: Dec;
  },
  market: Dec,
) {
  return walk(
    symbolInfo(o.symbol)!,
    ex.prices,
    o.side,
    market,
    o.origQty - o.executedQty,
    hasLimitPrice(o.type) ? o.price : undefined,
    ex.depthUsdt,
  );
}
