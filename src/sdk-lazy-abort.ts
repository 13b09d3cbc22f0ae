/**
 * What the bundle gives the SDK's `Protocol._onrequest` in place of the AbortController
 * it makes for every inbound request (scripts/build.mjs rewrites those lines).
 *
 * Why (issue 23, bench/README.md): under concurrent calls, requests whose AbortSignal
 * rode on the handler's context while the controller sat in the SDK's map of requests
 * in flight were kept alive through young-generation GCs and promoted, and RSS grew
 * with them. None of our handlers reads the signal, so it is made only when one is
 * read: the controller records an abort (a `notifications/cancelled`, a closed
 * connection), the SDK checks that record before it answers, and `ctx.mcpReq.signal`
 * is a getter that creates the real AbortController on first read, already aborted
 * if the request was.
 */

/** The key under which the request's controller rides on `ctx.mcpReq`. */
export const LAZY_ABORT = Symbol('binance-margin-mcp.lazyAbort');

export class LazyAbortController {
  aborted = false;
  reason: unknown = undefined;
  private real: AbortController | undefined = undefined;

  get signal(): AbortSignal {
    if (this.real === undefined) {
      this.real = new AbortController();
      if (this.aborted) this.real.abort(this.reason);
    }
    return this.real.signal;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.real?.abort(reason);
  }
}

// One getter for every context: a fresh closure per request would itself be kept by V8.
function signalGetter(this: { [LAZY_ABORT]: LazyAbortController }): AbortSignal {
  return this[LAZY_ABORT].signal;
}

/** Gives the handler's context its `mcpReq.signal` (unless the SDK already put one there). */
export function withLazySignal<T>(ctx: T): T {
  const req = (ctx as { mcpReq?: Record<PropertyKey, unknown> } | undefined)?.mcpReq;
  if (req?.[LAZY_ABORT] && !('signal' in req))
    Object.defineProperty(req, 'signal', { get: signalGetter, enumerable: true, configurable: true });
  return ctx;
}
