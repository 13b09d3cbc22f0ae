/**
 * The sealed request state of a 2026-07-28 confirmation round: it opens once, for the
 * tool, account and environment it was sealed for, before it expires, and only if not
 * a byte of it was changed; anything else is refused and yields no action to execute.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { FrozenAction } from '../src/pipeline/gate.js';
import { SealedState } from '../src/pipeline/sealed-state.js';

const ACTION: FrozenAction = {
  id: 'a1',
  tool: 'place_order',
  account: 'main',
  environment: 'mainnet',
  endpoint: 'POST /sapi/v1/margin/order',
  params: {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: '0.01',
    price: '60000',
    timeInForce: 'GTC',
    newClientOrderId: 'agent-abc',
  },
  summary: 'BUY 0.01 BTCUSDT LIMIT at 60000 GTC on main (Mainnet)',
  clientOrderId: 'agent-abc',
};
const BINDING = { tool: 'place_order', account: 'main', environment: 'mainnet' };

function clock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const refused = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'confirmation');
    assert.match(err.message, re);
    assert.match(err.message, /nothing was executed/);
    return true;
  });

describe('sealed request state', () => {
  test('opens once into exactly the sealed action', () => {
    const c = clock();
    const sealed = new SealedState({ now: c.now });
    const state = sealed.seal(ACTION, c.now() + 120_000);
    assert.equal(sealed.size, 1);
    assert.deepEqual(sealed.open(state, BINDING), ACTION);
    assert.equal(sealed.size, 0);
  });

  test('the state does not show the action in clear', () => {
    const sealed = new SealedState();
    const state = sealed.seal(ACTION, Date.now() + 120_000);
    const decoded = state
      .split('.')
      .map((p) => Buffer.from(p, 'base64url').toString('latin1'))
      .join(' ');
    for (const clear of ['BTCUSDT', 'place_order', 'main', '60000']) assert.ok(!decoded.includes(clear), clear);
  });

  test('a replayed state executes nothing', () => {
    const sealed = new SealedState();
    const state = sealed.seal(ACTION, Date.now() + 120_000);
    sealed.open(state, BINDING);
    refused(() => sealed.open(state, BINDING), /already answered/);
  });

  test('an altered state executes nothing, whichever part is changed', () => {
    const sealed = new SealedState();
    const state = sealed.seal(ACTION, Date.now() + 120_000);
    const parts = state.split('.');
    for (let i = 1; i < parts.length; i++) {
      const bytes = Buffer.from(parts[i], 'base64url');
      for (const at of [0, bytes.length - 1]) {
        const changed = Buffer.from(bytes);
        changed[at] ^= 0x01;
        const forged = parts.map((p, j) => (j === i ? changed.toString('base64url') : p)).join('.');
        refused(() => sealed.open(forged, BINDING), /invalid or was altered/);
      }
    }
    for (const junk of [
      '',
      'bmm1',
      'bmm1...',
      `bmm2.${parts.slice(1).join('.')}`,
      `${state}.x`,
      'pa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ])
      refused(() => sealed.open(junk, BINDING), /invalid or was altered/);
    // The untouched state was never used up by the forgeries.
    assert.deepEqual(sealed.open(state, BINDING), ACTION);
  });

  test('a state sealed by another server (another key) executes nothing', () => {
    const mine = new SealedState({ key: randomBytes(32) });
    const theirs = new SealedState({ key: randomBytes(32) });
    refused(() => mine.open(theirs.seal(ACTION, Date.now() + 120_000), BINDING), /invalid or was altered/);
  });

  test('an expired state executes nothing, and is forgotten', () => {
    const c = clock();
    const sealed = new SealedState({ now: c.now });
    const state = sealed.seal(ACTION, c.now() + 120_000);
    c.advance(120_000);
    refused(() => sealed.open(state, BINDING), /expired/);
    assert.equal(sealed.size, 0);
  });

  test('a state opened for another account, environment or tool executes nothing and is used up', () => {
    const sealed = new SealedState();
    for (const wrong of [
      { ...BINDING, account: 'other' },
      { ...BINDING, environment: 'testnet' },
      { ...BINDING, tool: 'borrow_or_repay' },
    ]) {
      const state = sealed.seal(ACTION, Date.now() + 120_000);
      refused(() => sealed.open(state, wrong), /was made for place_order on main \(mainnet\)/);
      refused(() => sealed.open(state, BINDING), /already answered/);
    }
  });

  test('a key that is not 256 bits is refused', () => {
    assert.throws(() => new SealedState({ key: randomBytes(16) }), /32 bytes/);
  });
});
