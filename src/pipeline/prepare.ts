/**
 * From validated tool arguments to the exact parameters that will be sent: the
 * cross-field rules of the catalog, then client order ids (docs/contract.md §7).
 * Nothing here talks to Binance; a refusal is a `validation` error.
 */
import { randomBytes } from 'node:crypto';
import { paramsOf, type Endpoint, type Params } from '../catalog/index.js';
import { validationError } from '../errors.js';

export const CLIENT_ID_PREFIX = 'agent-';
const MAX_CLIENT_ID = 36;
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `agent-` + 18 random alphanumerics (rejection sampling keeps it uniform). */
export function newClientOrderId(): string {
  let out = '';
  while (out.length < 18) {
    for (const b of randomBytes(24)) {
      if (b < 248 && out.length < 18) out += ALPHANUM[b % 62];
    }
  }
  return CLIENT_ID_PREFIX + out;
}

export interface Prepared {
  params: Params;
  /** The client id that identifies the order (list) this call places or cancels. */
  clientOrderId?: string;
}

export function prepare(endpoint: Endpoint, args: Record<string, unknown>): Prepared {
  const given: Params = {};
  for (const [k, v] of Object.entries(args)) if (v !== undefined) given[k] = v as string | number;

  const problem = endpoint.check?.(given);
  if (problem) throw validationError(problem);

  let clientOrderId: string | undefined;
  const ids = endpoint.clientOrderIds;
  if (ids) {
    for (const name of ids.prefix) {
      const value = given[name];
      if (value === undefined) continue;
      const prefixed = String(value).startsWith(CLIENT_ID_PREFIX) ? String(value) : CLIENT_ID_PREFIX + String(value);
      if (prefixed.length > MAX_CLIENT_ID)
        throw validationError(
          `${name} would be "${prefixed}" (${prefixed.length} characters) with the ${CLIENT_ID_PREFIX} prefix; ` +
            `Binance allows at most ${MAX_CLIENT_ID}.`,
          `Use at most ${MAX_CLIENT_ID - CLIENT_ID_PREFIX.length} characters.`,
        );
      given[name] = prefixed;
    }
    if (ids.generate && given[ids.generate] === undefined) given[ids.generate] = newClientOrderId();
    if (ids.generate) clientOrderId = given[ids.generate] as string;
  }

  // Send in catalog order, whatever order the arguments came in.
  const params: Params = {};
  for (const name of Object.keys(paramsOf(endpoint))) if (given[name] !== undefined) params[name] = given[name];
  return { params, clientOrderId };
}
