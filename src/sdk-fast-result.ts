/**
 * A check in front of the SDK's validation of every `tools/call` result
 * (scripts/build.mjs puts it there): a result of the one shape our envelope builds
 * (src/tools/envelope.ts) passes without a zod parse; anything else goes to the
 * SDK's schema as before.
 *
 * Why (issue 23, bench/README.md): the SDK parses each result against its
 * CallToolResult schema, and on Node 22 and 24 that parse was what kept ~130 KB of
 * every young-generation GC's survivors alive into the old generation, so RSS grew
 * under load; it also cost ~25 µs a call. The shape accepted here is a strict subset
 * of what that schema accepts, in both protocol eras, and the schema's parse of it is
 * an equal copy (test/sdk-fast-result.test.ts).
 */

const RESULT_KEYS = new Set(['content', 'structuredContent', 'isError']);

/** An object made by a literal or JSON.parse: Object.prototype, not null, not an array or a class instance. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Own, enumerable, string-keyed data properties only: what JSON made, and what zod copies the same. */
function onlyDataKeys(o: object, allowed?: Set<string>): boolean {
  if (Object.getOwnPropertySymbols(o).length) return false;
  for (const key of Object.getOwnPropertyNames(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key)!;
    if (!('value' in d) || !d.enumerable || (allowed && !allowed.has(key))) return false;
    if (key === '__proto__') return false;
  }
  return true;
}

const TEXT_KEYS = new Set(['type', 'text']);

/**
 * `{ content: [{ type: 'text', text }...], structuredContent?: {…}, isError?: boolean }`,
 * every object plain and every property a plain data property; the structured content
 * a plain object (the 2025 schema's record of strings; 2026's takes anything).
 */
export function isPlainTextToolResult(value: unknown): boolean {
  if (!isPlainObject(value) || !onlyDataKeys(value, RESULT_KEYS)) return false;
  const { content, structuredContent, isError } = value;
  if (!Array.isArray(content) || Object.getPrototypeOf(content) !== Array.prototype) return false;
  for (const item of content) {
    if (!isPlainObject(item) || !onlyDataKeys(item, TEXT_KEYS)) return false;
    if (item.type !== 'text' || typeof item.text !== 'string') return false;
  }
  if (isError !== undefined && typeof isError !== 'boolean') return false;
  if ('isError' in value && isError === undefined) return false;
  // The schema checks the structured content's keys (a record of strings), not its values.
  if ('structuredContent' in value && !(isPlainObject(structuredContent) && onlyDataKeys(structuredContent)))
    return false;
  return true;
}
