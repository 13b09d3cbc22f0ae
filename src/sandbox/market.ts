/**
 * The sandbox's market: which assets and pairs exist, their filters and interest
 * rates, and the price feed. Prices stay where they are ('fixed', the default, so
 * tests decide every move with setPrice) or take a small seeded random walk ('walk',
 * for the demo). Everything else values assets through usdtValue().
 */
import { dec, div, floorTo, fmt, fromInt, max, mul, type Dec } from './decimal.js';
import type { Rng } from './random.js';

export interface AssetInfo {
  asset: string;
  fullName: string;
  /** Daily interest rate for borrowing it (VIP 0). */
  dailyInterest: Dec;
  /** The most one account may owe of it (cross margin). */
  borrowLimit: Dec;
  /** What the exchange has left to lend (available-inventory). */
  inventory: Dec;
  userMinBorrow: Dec;
  userMinRepay: Dec;
}

export interface SymbolInfo {
  symbol: string;
  base: string;
  quote: string;
  initialPrice: Dec;
  tickSize: Dec;
  minPrice: Dec;
  maxPrice: Dec;
  stepSize: Dec;
  minQty: Dec;
  maxQty: Dec;
  /** Minimum order value in the quote asset (5 USDT, or its value in BTC). */
  minNotional: Dec;
  /** Isolated margin: leverage and per-asset borrow caps of tier 1. */
  isolatedLeverage: number;
  isolatedBaseBorrowLimit: Dec;
  isolatedQuoteBorrowLimit: Dec;
}

export const ASSETS: readonly AssetInfo[] = [
  {
    asset: 'BTC',
    fullName: 'Bitcoin',
    dailyInterest: dec('0.00005000'),
    borrowLimit: dec('150'),
    inventory: dec('1000'),
    userMinBorrow: dec('0'),
    userMinRepay: dec('0'),
  },
  {
    asset: 'ETH',
    fullName: 'Ethereum',
    dailyInterest: dec('0.00006000'),
    borrowLimit: dec('2500'),
    inventory: dec('20000'),
    userMinBorrow: dec('0'),
    userMinRepay: dec('0'),
  },
  {
    asset: 'BNB',
    fullName: 'BNB',
    dailyInterest: dec('0.00030000'),
    borrowLimit: dec('5000'),
    inventory: dec('50000'),
    userMinBorrow: dec('0'),
    userMinRepay: dec('0'),
  },
  {
    asset: 'USDT',
    fullName: 'TetherUS',
    dailyInterest: dec('0.00024000'),
    borrowLimit: dec('3000000'),
    inventory: dec('50000000'),
    userMinBorrow: dec('0'),
    userMinRepay: dec('0'),
  },
  {
    asset: 'USDC',
    fullName: 'USD coin',
    dailyInterest: dec('0.00024000'),
    borrowLimit: dec('3000000'),
    inventory: dec('50000000'),
    userMinBorrow: dec('0'),
    userMinRepay: dec('0'),
  },
];

const usdtPair = (base: string, price: string, tick: string, step: string, baseLimit: string): SymbolInfo => ({
  symbol: `${base}USDT`,
  base,
  quote: 'USDT',
  initialPrice: dec(price),
  tickSize: dec(tick),
  minPrice: dec(tick),
  maxPrice: dec('1000000'),
  stepSize: dec(step),
  minQty: dec(step),
  maxQty: dec('9000'),
  minNotional: dec('5'),
  isolatedLeverage: 10,
  isolatedBaseBorrowLimit: dec(baseLimit),
  isolatedQuoteBorrowLimit: dec('100000'),
});

export const SYMBOLS: readonly SymbolInfo[] = [
  usdtPair('BTC', '60000', '0.01', '0.00001', '9'),
  usdtPair('ETH', '3000', '0.01', '0.0001', '150'),
  usdtPair('BNB', '600', '0.01', '0.001', '800'),
  {
    symbol: 'ETHBTC',
    base: 'ETH',
    quote: 'BTC',
    initialPrice: dec('0.05'),
    tickSize: dec('0.00001'),
    minPrice: dec('0.00001'),
    maxPrice: dec('922327'),
    stepSize: dec('0.0001'),
    minQty: dec('0.0001'),
    maxQty: dec('100000'),
    minNotional: dec('0.0001'),
    isolatedLeverage: 5,
    isolatedBaseBorrowLimit: dec('100'),
    isolatedQuoteBorrowLimit: dec('5'),
  },
];

const assetIndex = new Map(ASSETS.map((a) => [a.asset, a]));
const symbolIndex = new Map(SYMBOLS.map((s) => [s.symbol, s]));
export const assetInfo = (asset: string): AssetInfo | undefined => assetIndex.get(asset);
export const symbolInfo = (symbol: string): SymbolInfo | undefined => symbolIndex.get(symbol);
export const ASSET_NAMES = ASSETS.map((a) => a.asset);
/** Interest is charged by the hour at the daily rate / 24. */
export const hourlyRate = (asset: string): Dec => div(assetInfo(asset)!.dailyInterest, fromInt(24));

/** Stable-coins are worth one USDT; everything else is valued at its USDT pair. */
const STABLE = new Set(['USDT', 'USDC']);

export type PriceMode = 'fixed' | 'walk';

export interface PriceState {
  prices: Record<string, string>;
  /** When the walk last stepped (ms). */
  lastStep: number;
}

/** One walk step per second, 0.05 % standard deviation: small enough to stay near the start. */
const WALK_STEP_MS = 1000;
const WALK_SIGMA = 0.0005;
/** After a long pause (a restart, a sleeping laptop) the walk catches up at most this many steps. */
const WALK_MAX_CATCH_UP = 600;

export class PriceFeed {
  private readonly prices = new Map<string, Dec>();
  private lastStep: number;

  constructor(
    private readonly mode: PriceMode,
    private readonly rng: Rng,
    now: number,
    saved?: PriceState,
  ) {
    for (const s of SYMBOLS) this.prices.set(s.symbol, s.initialPrice);
    for (const [symbol, price] of Object.entries(saved?.prices ?? {}))
      if (symbolIndex.has(symbol)) this.prices.set(symbol, dec(price));
    this.lastStep = saved?.lastStep ?? now;
  }

  get(symbol: string): Dec {
    const p = this.prices.get(symbol);
    if (p === undefined) throw new Error(`no price for ${symbol}`);
    return p;
  }

  set(symbol: string, price: Dec): void {
    const info = symbolInfo(symbol);
    if (!info) throw new Error(`unknown symbol ${symbol}`);
    if (price <= 0n) throw new Error('price must be positive');
    this.prices.set(symbol, price);
  }

  /** Advances the walk to `now`; returns the symbols whose price moved. */
  advance(now: number): string[] {
    if (this.mode !== 'walk') return [];
    const steps = Math.min(Math.floor((now - this.lastStep) / WALK_STEP_MS), WALK_MAX_CATCH_UP);
    if (steps <= 0) return [];
    this.lastStep = now;
    for (let i = 0; i < steps; i++) {
      for (const s of SYMBOLS) {
        const factor = 1 + WALK_SIGMA * this.rng.normal();
        const next = floorTo(mul(this.get(s.symbol), dec(factor.toFixed(8))), s.tickSize);
        this.prices.set(s.symbol, max(next, s.tickSize));
      }
    }
    return SYMBOLS.map((s) => s.symbol);
  }

  /** Value of one unit of `asset` in USDT. */
  usdtPrice(asset: string): Dec {
    if (STABLE.has(asset)) return dec('1');
    return this.get(`${asset}USDT`);
  }

  usdtValue(asset: string, amount: Dec): Dec {
    return mul(amount, this.usdtPrice(asset));
  }

  /** Value in BTC, as Binance's account totals are written. */
  btcValue(asset: string, amount: Dec): Dec {
    if (asset === 'BTC') return amount;
    return div(this.usdtValue(asset, amount), this.usdtPrice('BTC'));
  }

  /** Converts a USDT value into units of `asset`. */
  fromUsdt(asset: string, usdt: Dec): Dec {
    return div(usdt, this.usdtPrice(asset));
  }

  snapshot(): PriceState {
    return { prices: Object.fromEntries([...this.prices].map(([s, p]) => [s, fmt(p)])), lastStep: this.lastStep };
  }
}
