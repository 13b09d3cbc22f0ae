/**
 * A check in front of the SDK's parse of every line read on stdio (scripts/build.mjs
 * puts it there): a request of the plain shape passes without a zod parse; anything
 * else (answers, notifications, a request with `_meta`, anything odd) goes to the SDK's
 * JSON-RPC message schema as before, which accepts or refuses it.
 *
 * Why (issue 23, bench/README.md): that schema is a zod union of four strict objects,
 * parsed for every line: 10–26 µs a call in a process's first few hundred calls
 * (zod runs jitless in the server), which is most of a session
 * (src/runtime/tier-up.ts). The request's
 * params are checked again by its method's own schema before a handler sees them.
 * The shape accepted here is a strict subset of what the message schema accepts, and
 * the schema's parse of it is an equal copy (test/sdk-plain-request.test.ts).
 */

import { isPlainObject } from './sdk-fast-result.js';

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

/**
 * `{ jsonrpc: '2.0', id: string | safe integer, method: string, params?: {…} }` as
 * JSON.parse makes it: no other key, params a plain object without `_meta` (whose
 * schema this does not repeat) or an own `__proto__`.
 */
export function isPlainRequest(message: unknown): boolean {
  if (!isPlainObject(message)) return false;
  for (const key in message) if (!REQUEST_KEYS.has(key)) return false;
  const { jsonrpc, id, method, params } = message;
  if (jsonrpc !== '2.0' || typeof method !== 'string') return false;
  if (typeof id !== 'string' && !Number.isSafeInteger(id)) return false;
  if (params === undefined) return !('params' in message);
  return isPlainObject(params) && !Object.hasOwn(params, '_meta') && !Object.hasOwn(params, '__proto__');
}
