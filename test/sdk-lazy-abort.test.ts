/**
 * The SDK's per-request AbortController as the bundle replaces it (src/sdk-lazy-abort.ts,
 * scripts/build.mjs; issue 23): made only when a handler reads the signal, and aborted
 * exactly as the SDK's would have been. The bundle's rewrite itself is covered end to end
 * in process-faults.test.ts (a cancelled call is not answered).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LAZY_ABORT, LazyAbortController, withLazySignal } from '../src/sdk-lazy-abort.js';

describe('the lazy per-request AbortController', () => {
  test('a signal read before the abort is aborted by it, with its reason', () => {
    const c = new LazyAbortController();
    const signal = c.signal;
    assert.equal(signal.aborted, false);
    c.abort('cancelled by the client');
    assert.equal(c.aborted, true);
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, 'cancelled by the client');
    assert.equal(c.signal, signal, 'one signal per request');
  });

  test('a signal first read after the abort is already aborted, with the first reason', () => {
    const c = new LazyAbortController();
    c.abort('closed');
    c.abort('second');
    assert.equal(c.signal.aborted, true);
    assert.equal(c.signal.reason, 'closed');
  });

  test('withLazySignal gives the context mcpReq.signal on first read; spreads copy it; an SDK signal wins', () => {
    const c = new LazyAbortController();
    const ctx = withLazySignal({ mcpReq: { id: 7, [LAZY_ABORT]: c } as Record<PropertyKey, unknown> });
    assert.ok('signal' in ctx.mcpReq);
    const copied = { ...ctx.mcpReq } as { signal: AbortSignal };
    c.abort('x');
    assert.equal(copied.signal.aborted, true, 'a copy made before the abort sees it');
    assert.equal((ctx.mcpReq.signal as AbortSignal).aborted, true);
    const own = new AbortController().signal;
    const kept = withLazySignal({ mcpReq: { signal: own, [LAZY_ABORT]: new LazyAbortController() } });
    assert.equal(kept.mcpReq.signal, own);
    assert.deepEqual(withLazySignal({ mcpReq: { id: 1 } }), { mcpReq: { id: 1 } }, 'no controller, no signal');
  });
});
