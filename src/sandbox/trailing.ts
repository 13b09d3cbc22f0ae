import type { Dec } from './decimal.js';
import { type Order, stopFires } from './order-types.js';

/**
 * Trailing stops, per Binance's trailing-stop FAQ: tracking starts at placement, or once
 * stopPrice is reached; then the best price since is followed (the highest for a SELL,
 * the lowest for a BUY) and the stop fires after a move of trailingDelta bips against it.
 */
export function trails(o: Order, price: Dec, now: number): boolean {
  if ((o.trailingTime ?? -1) < 0) {
    if (o.stopPrice > 0n && !stopFires(o, price)) return false;
    o.trailingTime = now;
    o.trailExtreme = price;
    return false;
  }
  const sell = o.side === 'SELL';
  const best = o.trailExtreme ?? price;
  if (sell ? price > best : price < best) {
    o.trailExtreme = price;
    return false;
  }
  const bips = BigInt(o.trailingDelta!);
  return sell ? price * 10_000n <= best * (10_000n - bips) : price * 10_000n >= best * (10_000n + bips);
}
