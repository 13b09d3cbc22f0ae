/** The maintainers' drift check, and the endpoint facts Binance changed since the skill. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { findEndpoint, weightOf } from '../src/catalog/index.js';
import { compareCatalog, type ListedEndpoint } from '../scripts/drift-check.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8'));
const skill: ListedEndpoint[] = fixture('margin-endpoints.json');
const added: ListedEndpoint[] = fixture('margin-endpoints-current.json').endpoints;

/** Issue 16: endpoints beyond these lists (see test/parity.test.ts for their official source). */
const BEYOND = ['POST /sapi/v1/userListenToken', 'POST /sapi/v1/asset/transfer', 'GET /sapi/v1/asset/transfer'];

test('the catalog has not drifted from the documented endpoint list', () => {
  const d = compareCatalog([...skill, ...added]);
  assert.deepEqual(d.missing, []);
  assert.deepEqual(d.extra, BEYOND);
  assert.deepEqual(d.changed, [
    // The lists predate Binance's connector 13.0.0, which made symbol optional (read for isolated only).
    'POST /sapi/v1/margin/borrow-repay: symbol is now required',
    // The lists predate trailing stops on margin orders (connector 13.0.0).
    'POST /sapi/v1/margin/order: parameter trailingDelta is no longer listed',
    // Deliberate: an iceberg is optional although the page marks it mandatory.
    'POST /sapi/v1/margin/order/oto: workingIcebergQty is now required',
  ]);
});

test('drift is reported: missing, extra and changed endpoints', () => {
  const list = structuredClone([...skill, ...added]).filter((e) => e.path !== '/sapi/v1/margin/tradeCoeff');
  list.push({ method: 'GET', path: '/sapi/v1/margin/brand-new', params: [] });
  const order = list.find((e) => e.method === 'POST' && e.path === '/sapi/v1/margin/order')!;
  order.params!.push({ name: 'pegPriceType', required: false });
  order.weight = '12(UID)';
  const d = compareCatalog(list);
  assert.deepEqual(d.missing, ['GET /sapi/v1/margin/brand-new']);
  assert.deepEqual(d.extra, ['GET /sapi/v1/margin/tradeCoeff', ...BEYOND]);
  assert.ok(d.changed.includes('POST /sapi/v1/margin/order: new parameter pegPriceType'));
  assert.ok(d.changed.includes('POST /sapi/v1/margin/order: weight 6(UID) → 12(UID)'));
});

test('weights follow the current docs: maxBorrowable 750 (UID); orders that borrow 1500 (UID)', () => {
  assert.deepEqual(weightOf(findEndpoint('get_max_borrowable')!, {}), { amount: 750, per: 'UID' });
  for (const name of ['place_order', 'place_oco_order', 'place_oto_order', 'place_otoco_order']) {
    const e = findEndpoint(name)!;
    assert.deepEqual(weightOf(e, {}), { amount: 6, per: 'UID' }, name);
    assert.deepEqual(weightOf(e, { sideEffectType: 'NO_SIDE_EFFECT' }), { amount: 6, per: 'UID' }, name);
    assert.deepEqual(weightOf(e, { sideEffectType: 'AUTO_REPAY' }), { amount: 6, per: 'UID' }, name);
    assert.deepEqual(weightOf(e, { sideEffectType: 'MARGIN_BUY' }), { amount: 1500, per: 'UID' }, name);
    assert.deepEqual(weightOf(e, { sideEffectType: 'AUTO_BORROW_REPAY' }), { amount: 1500, per: 'UID' }, name);
  }
  for (const e of added)
    assert.equal(weightOf(findEndpoint(nameOf(e))!, {}).amount, Number(String(e.weight).replace(/\D+.*$/, '')));
});

const nameOf = (e: ListedEndpoint) =>
  ({
    '/sapi/v1/margin/exit-special-key-mode': 'exit_special_key_mode',
    '/sapi/v1/margin/liquidation-loan': 'get_liquidation_loan',
    '/sapi/v1/margin/liquidation-loan/repay': 'repay_liquidation_loan',
    '/sapi/v1/margin/liquidation-loan/repay-history': 'get_liquidation_loan_repays',
  })[e.path]!;
