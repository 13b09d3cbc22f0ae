/**
 * Projected margin risk of an order or a borrow, for the preview: the margin level now
 * and after the action fills as asked, and the index price of the symbol at which the
 * account would reach Binance's margin-call and liquidation levels, all else equal.
 *
 * The model is Binance's margin level, total assets / total liabilities, in USDT:
 *
 *   after the fill:  assets A1 = A0 + ΔA,  liabilities L1 = L0 + ΔL
 *     BUY  q at P:   base +q; quote −q·P + b (b: the quote it borrows);  debt +b
 *     SELL q at P:   base −q + b (b: the base it borrows); quote +q·P;     debt +b
 *     BORROW x:      asset +x; debt +x          REPAY x: asset −x; debt −x
 *   at index p of the symbol, only the base asset's value moves (h held, d owed):
 *     A(p) = A1 + h·(p − p0)·u,  L(p) = L1 + d·(p − p0)·u    (u: USDT per quote unit)
 *   so the level reaches T where  p = p0 + (T·L1 − A1) / (u·(h − T·d)).
 *
 * Simplifications (README says them too): other assets' prices stay; fees and the
 * interest accrued until then are left out; AUTO_REPAY is not credited (the level shown
 * is the lower one); isolated pairs use the same thresholds as cross margin.
 */

export interface Side {
  asset: string;
  /** free + locked */
  held: number;
  /** borrowed + interest */
  debt: number;
}

export interface RiskInput {
  /** Total assets and liabilities of the account (cross) or the pair (isolated), in USDT. */
  assetsUsdt: number;
  liabilitiesUsdt: number;
  base: Side;
  quote: Side;
  /** Index price of the symbol (quote per base) and USDT per quote unit. */
  index: number;
  quoteUsdt: number;
  marginCallLevel: number;
  liquidationLevel: number;
}

/** What the action does to the two assets of the symbol. */
export interface Fill {
  baseDelta: number;
  quoteDelta: number;
  baseDebtDelta: number;
  quoteDebtDelta: number;
}

export interface Projection {
  marginLevel?: number;
  marginLevelAfter?: number;
  marginCallPrice?: number;
  liquidationPrice?: number;
  /** Figures that could not be computed, with why. */
  unavailable: string[];
}

/** Binance shows 999 for an account without debt. */
export const NO_DEBT_LEVEL = 999;

export function orderFill(side: 'BUY' | 'SELL', quantity: number, price: number, borrowed: number): Fill {
  return side === 'BUY'
    ? { baseDelta: quantity, quoteDelta: borrowed - quantity * price, baseDebtDelta: 0, quoteDebtDelta: borrowed }
    : { baseDelta: borrowed - quantity, quoteDelta: quantity * price, baseDebtDelta: borrowed, quoteDebtDelta: 0 };
}

export function project(input: RiskInput, fill: Fill): Projection {
  const { index: p0, quoteUsdt: u } = input;
  const unavailable: string[] = [];
  const level = (a: number, l: number) => (l > 0 ? a / l : NO_DEBT_LEVEL);
  const a1 = input.assetsUsdt + (fill.baseDelta * p0 + fill.quoteDelta) * u;
  const l1 = input.liabilitiesUsdt + (fill.baseDebtDelta * p0 + fill.quoteDebtDelta) * u;
  const out: Projection = {
    marginLevel: level(input.assetsUsdt, input.liabilitiesUsdt),
    marginLevelAfter: level(a1, l1),
    unavailable,
  };
  const h = input.base.held + fill.baseDelta;
  const d = input.base.debt + fill.baseDebtDelta;
  const priceAt = (t: number, name: string): number | undefined => {
    if (l1 <= 0) {
      unavailable.push(`${name} (no debt after it: the account cannot reach a margin call)`);
      return undefined;
    }
    const slope = u * (h - t * d);
    if (Math.abs(slope) < 1e-12) {
      unavailable.push(`${name} (the level does not move with this symbol's price)`);
      return undefined;
    }
    const p = p0 + (t * l1 - a1) / slope;
    if (!(Number.isFinite(p) && p > 0)) {
      unavailable.push(`${name} (no positive price of this symbol reaches it)`);
      return undefined;
    }
    return p;
  };
  out.marginCallPrice = priceAt(input.marginCallLevel, 'marginCallPrice');
  out.liquidationPrice = priceAt(input.liquidationLevel, 'liquidationPrice');
  return out;
}
