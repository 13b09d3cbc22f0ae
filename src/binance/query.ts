/**
 * The query string Binance signs and receives. One function builds it so that the
 * string signed is byte for byte the string sent.
 */

export type WireValue = string | number | boolean;
export type WireParams = Record<string, WireValue | undefined | null>;

const UNRESERVED = /^[\w.~-]*$/;

/** RFC 3986 percent-encoding of UTF-8: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function encodeRfc3986(text: string): string {
  // Most values (symbols, numbers, an HMAC signature in hex) have nothing to encode.
  if (UNRESERVED.test(text)) return text;
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function wireText(value: WireValue): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number in query');
    // Integers (ids, times) print plainly; any fraction must already be a decimal string.
    if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
    throw new TypeError('fractional numbers must be passed as plain decimal strings');
  }
  return value;
}

/**
 * Builds `name=value&...` in insertion order (the catalog's parameter order, then
 * timestamp), dropping absent values.
 */
export function buildQuery(params: WireParams): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${encodeRfc3986(name)}=${encodeRfc3986(wireText(value))}`);
  }
  return parts.join('&');
}
