/**
 * Fixed-point decimals for the sandbox's books: a bigint counting 1e-8 units, the
 * precision Binance shows every balance in. Arithmetic truncates toward zero, so a
 * balance never grows by rounding, and every sum of parts adds up exactly.
 */

export type Dec = bigint;

const PLACES = 8;
export const ONE: Dec = 10n ** BigInt(PLACES);
export const ZERO: Dec = 0n;

const DECIMAL = /^(\d+)(?:\.(\d*))?$/;

/** Parses a plain decimal string; undefined when it is not one or has more than 8 decimals. */
export function parseDec(text: string): Dec | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > PLACES) return undefined;
  return BigInt(m[1]) * ONE + BigInt(frac.padEnd(PLACES, '0') || '0');
}

/** For constants in code: throws on a malformed literal. */
export function dec(text: string): Dec {
  const v = parseDec(text);
  if (v === undefined) throw new Error(`bad decimal literal ${text}`);
  return v;
}

/** "0.00000000": eight places, as Binance writes balances. */
export function fmt(v: Dec): string {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const int = abs / ONE;
  const frac = (abs % ONE).toString().padStart(PLACES, '0');
  return `${neg ? '-' : ''}${int}.${frac}`;
}

/** The shortest form ("0.001", "5"): a few Binance fields are written this way. */
export function fmtShort(v: Dec): string {
  return fmt(v).replace(/\.?0+$/, '');
}

export const toNumber = (v: Dec): number => Number(fmt(v));

export const mul = (a: Dec, b: Dec): Dec => (a * b) / ONE;
export const div = (a: Dec, b: Dec): Dec => (b === 0n ? 0n : (a * ONE) / b);
/** a × b / c in one step, so the intermediate keeps full precision. */
export const mulDiv = (a: Dec, b: Dec, c: Dec): Dec => (c === 0n ? 0n : (a * b) / c);
export const min = (a: Dec, b: Dec): Dec => (a < b ? a : b);
export const max = (a: Dec, b: Dec): Dec => (a > b ? a : b);
/** Rounds down to a multiple of step (a tick or lot size). */
export const floorTo = (v: Dec, step: Dec): Dec => (step === 0n ? v : (v / step) * step);
export const isMultiple = (v: Dec, step: Dec): boolean => step === 0n || v % step === 0n;
/** Integer rates and counts as decimals: fromInt(3) = 3.00000000. */
export const fromInt = (n: number): Dec => BigInt(n) * ONE;
