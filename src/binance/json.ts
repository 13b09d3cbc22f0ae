/**
 * JSON.parse that keeps integers beyond 2^53 exact. Binance sends some ids
 * (interest txId, pair ids) that a JavaScript number would round; those become
 * strings holding the exact digits, so `data` never carries a silently changed id.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}

function quoteUnsafeIntegers(text: string): string {
  if (!/\d{16}/.test(text)) return text; // fast path: no integer long enough to be unsafe
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      // copy the string literal verbatim
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE.+-]/.test(text[j])) j++;
      const literal = text.slice(i, j);
      const digits = literal.replace('-', '');
      if (/^-?\d+$/.test(literal) && digits.length >= 16 && !Number.isSafeInteger(Number(literal)))
        out += `"${literal}"`;
      else out += literal;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
