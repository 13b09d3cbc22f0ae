/**
 * A tools/call request the SDK has validated once, handed to the handler that would
 * validate it again (issue 23). The SDK's tools/call wrapper (Server._wrapHandler)
 * checks each request against the era's CallToolRequest schema, for its -32602 error,
 * then calls the handler Protocol.setRequestHandler stored, which checks the same
 * request against the same schema of the same codec and hands the handler its value.
 * scripts/build.mjs has the wrapper put its value here and the stored handler take it.
 *
 * One request at a time, matched by identity: a request that finds another's value
 * here (the wrapper awaits a requestState check in between) is validated as before.
 */
let heldRequest: unknown;
let heldValue: unknown;

/** The wrapper: `request` passed its schema, and this is what the parse gave. */
export function handOverValidated(request: unknown, value: unknown): void {
  heldRequest = request;
  heldValue = value;
}

/** The stored handler: the wrapper's verdict on this very request, if it left one; else undefined. */
export function takeValidated(method: string, request: unknown): { ok: true; value: unknown } | undefined {
  if (method !== 'tools/call' || request !== heldRequest) return undefined;
  const value = heldValue;
  heldRequest = heldValue = undefined;
  return { ok: true, value };
}
