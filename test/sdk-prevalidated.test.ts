/**
 * The SDK's tools/call request, validated once (src/sdk-prevalidated.ts, rewritten into
 * the SDK by scripts/build.mjs; issue 23). End to end, the fuzz and protocol tests send
 * invalid tools/call requests through the bundle and expect the SDK's -32602.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handOverValidated, takeValidated } from '../src/sdk-prevalidated.js';

describe("the wrapper's verdict on a tools/call request", () => {
  test('is taken by the handler for that very request, once', () => {
    const request = { method: 'tools/call', params: { name: 'x' } };
    const value = { method: 'tools/call', params: { name: 'x', arguments: {} } };
    handOverValidated(request, value);
    assert.deepEqual(takeValidated('tools/call', request), { ok: true, value });
    assert.equal(takeValidated('tools/call', request), undefined, 'taken once');
  });

  test('is not taken for another request (an equal copy included) or another method', () => {
    const request = { method: 'tools/call', params: { name: 'x' } };
    handOverValidated(request, request);
    assert.equal(takeValidated('tools/call', { ...request }), undefined);
    assert.equal(takeValidated('prompts/get', request), undefined);
    handOverValidated({ method: 'tools/call' }, {});
    assert.equal(takeValidated('tools/call', request), undefined, 'a newer hand-over replaced it');
  });
});
