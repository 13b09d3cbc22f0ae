/**
 * Checks in front of three zod parses the SDK makes of every request
 * (scripts/build.mjs puts them there): a request of the plain shape passes without
 * them; anything else (answers, notifications, a request with `_meta`, anything odd)
 * goes to the SDK's schema as before, which accepts or refuses it. The three:
 * - the JSON-RPC message schema, for every line read on stdio;
 * - the JSON-RPC request schema, which the SDK's Protocol uses to tell a request from
 *   other messages, once a request is read on any transport;
 * - the tools/call request schema of the era, in the SDK's tools/call wrapper.
 *
 * Why (issue 23, bench/README.md): in a process's first few hundred calls, which is
 * most of a session (src/runtime/tier-up.ts), the message schema (a zod union of four
 * strict objects; zod runs jitless in the server) cost 10–26 µs a call, and the other
 * two ~65 µs together. The request's params are checked again by its method's own
 * schema before a handler sees them, a tool's arguments by the tool's input schema.
 * The shapes accepted here are strict subsets of what the schemas accept, and the
 * schemas' values for them are equal copies (test/sdk-plain-request.test.ts).
 */

import { isPlainObject } from './sdk-fast-result.js';

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

interface PlainRequest {
  jsonrpc: '2.0';
  id: string | number;
  method: string;
  params?: Record<string, unknown>;
}

/**
 * `{ jsonrpc: '2.0', id: string | safe integer, method: string, params?: {…} }` as
 * JSON.parse makes it: no other key, params a plain object without `_meta` (whose
 * schema this does not repeat) or an own `__proto__`.
 */
export function isPlainRequest(message: unknown): message is PlainRequest {
  if (!isPlainObject(message)) return false;
  for (const key in message) if (!REQUEST_KEYS.has(key)) return false;
  const { jsonrpc, id, method, params } = message;
  if (jsonrpc !== '2.0' || typeof method !== 'string') return false;
  if (typeof id !== 'string' && !Number.isSafeInteger(id)) return false;
  if (params === undefined) return !('params' in message);
  return isPlainObject(params) && !Object.hasOwn(params, '_meta') && !Object.hasOwn(params, '__proto__');
}

const TOOL_CALL_PARAMS = new Set(['name', 'arguments']);

/**
 * A plain tools/call request, `params: { name: string, arguments?: {…} }` and nothing
 * else in params (no `task`), as the SDK's tools/call wrapper validates it: the value
 * its era's CallToolRequest schema would give, which drops `jsonrpc` and `id` and
 * copies params and arguments. Anything else: undefined, and the schema decides. Each
 * argument is checked by the tool's own input schema afterwards (tools/registry.ts).
 */
export function plainToolCall(request: unknown): { ok: true; value: PlainToolCall } | undefined {
  if (!isPlainRequest(request) || request.method !== 'tools/call' || request.params === undefined) return undefined;
  const params = request.params;
  for (const key in params) if (!TOOL_CALL_PARAMS.has(key)) return undefined;
  const { name, arguments: args } = params;
  if (typeof name !== 'string') return undefined;
  if (!('arguments' in params)) return { ok: true, value: { method: 'tools/call', params: { name } } };
  if (!isPlainObject(args) || Object.hasOwn(args, '__proto__')) return undefined;
  return { ok: true, value: { method: 'tools/call', params: { name, arguments: { ...args } } } };
}

interface PlainToolCall {
  method: 'tools/call';
  params: { name: string; arguments?: Record<string, unknown> };
}
