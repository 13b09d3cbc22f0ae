/**
 * JSON.parse that keeps integers beyond 2^53 exact. Binance sends some ids
 * (interest txId, pair ids) that a JavaScript number would round; those become
 * strings holding the exact digits, so `data` never carries a silently changed id.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}

// A JSON number is always the whole text or comes after `:`, `,` or `[` (and white
// space): without 16 digits in such a place there is no integer to quote. Digits inside
// strings (Binance's decimal strings, ids, timestamps in text) do not count.
const MAY_HOLD_LONG_INTEGER = /(?:^|[:,[])\s*-?\d{16}/;
// A string literal whole (so that nothing inside one is touched), or a number literal whole.
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const INTEGER_OF_16_DIGITS_OR_MORE = /^-?\d{16,}$/;

/**
 * Puts quotes around integer literals that a number would round. Regular expressions
 * only, no loop over characters: they run as compiled code from the first call, which
 * is what most calls of a server that is not running long get (src/runtime/tier-up.ts).
 */
function quoteUnsafeIntegers(text: string): string {
  if (!MAY_HOLD_LONG_INTEGER.test(text)) return text;
  return text.replace(STRING_OR_NUMBER, (token) =>
    INTEGER_OF_16_DIGITS_OR_MORE.test(token) && !Number.isSafeInteger(Number(token)) ? `"${token}"` : token,
  );
}
