/**
 * Decimal strings for the wire. Binance rejects exponent notation, and a JSON
 * number like 1e-8 is what an agent is likely to send, so every decimal is
 * normalised to a plain positional string before it is signed.
 */

const PLAIN = /^(\d+)(?:\.(\d+))?$/;
const EXPONENT = /^(\d+)(?:\.(\d+))?e([+-]?\d+)$/i;

/** Turns a number or numeric string into a plain decimal string, or returns null when it is not one. */
export function toPlainDecimal(value: string | number): string | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null;
    text = String(value);
  } else {
    text = value.trim();
  }
  let match = PLAIN.exec(text);
  if (match) return trimZeros(match[1], match[2] ?? '');
  match = EXPONENT.exec(text);
  if (!match) return null;
  const digits = match[1] + (match[2] ?? '');
  const point = match[1].length + Number(match[3]);
  if (!Number.isSafeInteger(point) || Math.abs(point) > 400) return null;
  if (point <= 0) return trimZeros('0', '0'.repeat(-point) + digits);
  if (point >= digits.length) return trimZeros(digits + '0'.repeat(point - digits.length), '');
  return trimZeros(digits.slice(0, point), digits.slice(point));
}

function trimZeros(intPart: string, fracPart: string): string {
  const int = intPart.replace(/^0+(?=\d)/, '');
  const frac = fracPart.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/** True when a plain decimal string is greater than zero. */
export function isPositiveDecimal(plain: string): boolean {
  return /[1-9]/.test(plain);
}
