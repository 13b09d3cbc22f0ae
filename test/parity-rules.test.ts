/**
 * Issue 16's rules, checked before anything is sent: trailing stops, borrow_or_repay's
 * optional symbol, the OTO/OTOCO trailing rules of 2026-06-15 and their side effects,
 * the documented query windows and list limits, maxLeverage, the listen token, and the
 * collateral transfer (its types, pairs, summary and what it tells the rails).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CATALOG, findEndpoint, type Params } from '../src/catalog/index.js';
import { assertRefusedBeforeSending, startServer, structured, toolsMd, type TestServer } from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startStandIn, type StandIn } from './helpers/standin.js';

const DAY = 86_400_000;
const T0 = 1_780_000_000_000;

describe('issue 16: rules before sending', () => {
  let standIn: StandIn;
  let server: TestServer;
  const apiKey = randomApiKey();
  const secret = randomSecret();

  before(async () => {
    standIn = await startStandIn(CATALOG.map((e) => ({ method: e.method, path: e.path, security: e.security })));
    standIn.wire.addKey({ apiKey, accountId: 'main', hmacSecret: secret });
    server = await startServer({
      toolsMd: toolsMd([{ name: 'main', fields: { 'API Key': apiKey, Secret: secret, Environment: 'Mainnet' } }]),
      env: { BINANCE_MAINNET_BASE_URL: standIn.url },
    });
  });
  after(async () => {
    await server.close();
    await standIn.close();
  });

  const refused = (tool: string, args: Record<string, unknown>, pattern: RegExp) =>
    assertRefusedBeforeSending(server, standIn, tool, args, pattern);

  /** A write reaches the gate (and is dropped there); a read is sent. Returns the pending action or the answer. */
  async function accepted(tool: string, args: Record<string, unknown>) {
    const r = await server.call(tool, args);
    assert.ok(!r.isError, `${tool} ${JSON.stringify(args)}: ${JSON.stringify(r.structuredContent)}`);
    return structured(r);
  }

  const stop = { symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01' };

  test('1. place_order: trailingDelta for stop and take-profit types, with or without stopPrice', async () => {
    const p = await accepted('place_order', { ...stop, type: 'STOP_LOSS', trailingDelta: 200 });
    assert.equal(p.status, 'confirmation_required');
    assert.equal(p.action.params.trailingDelta, 200);
    assert.match(p.summary, /trailing 200 bips/);
    await accepted('place_order', {
      ...stop,
      type: 'TAKE_PROFIT_LIMIT',
      price: '70000',
      stopPrice: '69000',
      timeInForce: 'GTC',
      trailingDelta: 150,
    });
    await refused('place_order', { ...stop, type: 'STOP_LOSS' }, /type=STOP_LOSS needs stopPrice \(or trailingDelta\)/);
    await refused(
      'place_order',
      { ...stop, type: 'LIMIT', price: '1', timeInForce: 'GTC', trailingDelta: 100 },
      /type=LIMIT does not take trailingDelta/,
    );
    await refused(
      'place_order',
      { ...stop, type: 'MARKET', trailingDelta: 100 },
      /type=MARKET does not take trailingDelta/,
    );
    await refused('place_order', { ...stop, type: 'STOP_LOSS', trailingDelta: 12.5 }, /trailingDelta/);
  });

  test('2. borrow_or_repay: symbol only for isolated margin', async () => {
    const p = await accepted('borrow_or_repay', { asset: 'USDT', isIsolated: 'FALSE', amount: '10', type: 'BORROW' });
    assert.equal(p.action.params.symbol, undefined, 'cross: no symbol is invented');
    assert.match(p.summary, /in the cross margin account/);
    await refused(
      'borrow_or_repay',
      { asset: 'USDT', isIsolated: 'TRUE', amount: '10', type: 'BORROW' },
      /isIsolated=TRUE needs symbol/,
    );
    const iso = await accepted('borrow_or_repay', {
      asset: 'USDT',
      isIsolated: 'TRUE',
      symbol: 'BTCUSDT',
      amount: '10',
      type: 'BORROW',
    });
    assert.equal(iso.action.params.symbol, 'BTCUSDT');
  });

  const working = {
    symbol: 'BTCUSDT',
    workingType: 'LIMIT',
    workingSide: 'BUY',
    workingPrice: '60000',
    workingQuantity: '0.01',
    workingTimeInForce: 'GTC',
  };
  test('3. OTO: a trailing pending stop takes its price (2026-06-15); stop price and/or trailing delta', async () => {
    const pending = { pendingSide: 'SELL', pendingQuantity: '0.01' };
    const p = await accepted('place_oto_order', {
      ...working,
      ...pending,
      pendingType: 'STOP_LOSS',
      pendingTrailingDelta: 300,
      pendingPrice: '59000',
    });
    assert.equal(p.action.params.pendingTrailingDelta, 300);
    await accepted('place_oto_order', { ...working, ...pending, pendingType: 'STOP_LOSS', pendingStopPrice: '58000' });
    await accepted('place_oto_order', {
      ...working,
      ...pending,
      pendingType: 'TAKE_PROFIT',
      pendingStopPrice: '65000',
      pendingTrailingDelta: 100,
      pendingPrice: '66000',
    });
    await refused(
      'place_oto_order',
      { ...working, ...pending, pendingType: 'STOP_LOSS', pendingTrailingDelta: 300 },
      /pendingTrailingDelta needs pendingPrice/,
    );
    await refused(
      'place_oto_order',
      { ...working, ...pending, pendingType: 'STOP_LOSS' },
      /pendingType=STOP_LOSS needs pendingStopPrice \(or pendingTrailingDelta\)/,
    );
    await refused(
      'place_oto_order',
      { ...working, ...pending, pendingType: 'STOP_LOSS', pendingStopPrice: '58000', pendingPrice: '57000' },
      /does not take pendingPrice/,
    );
    await refused(
      'place_oto_order',
      {
        ...working,
        ...pending,
        pendingType: 'LIMIT',
        pendingPrice: '1',
        pendingTimeInForce: 'GTC',
        pendingTrailingDelta: 5,
      },
      /does not take pendingTrailingDelta/,
    );
  });

  test('3. OTOCO: trailing above/below legs need their price; LIMIT_MAKER legs take no trailing delta', async () => {
    const base = {
      ...working,
      pendingSide: 'SELL',
      pendingQuantity: '0.01',
      pendingAboveType: 'LIMIT_MAKER',
      pendingAbovePrice: '70000',
    };
    const p = await accepted('place_otoco_order', {
      ...base,
      pendingBelowType: 'STOP_LOSS',
      pendingBelowTrailingDelta: 250,
      pendingBelowPrice: '55000',
    });
    assert.match(p.summary, /STOP_LOSS at 55000 trailing 250 bips/);
    await accepted('place_otoco_order', {
      ...base,
      pendingBelowType: 'STOP_LOSS_LIMIT',
      pendingBelowStopPrice: '56000',
      pendingBelowTrailingDelta: 250,
      pendingBelowPrice: '55000',
      pendingBelowTimeInForce: 'GTC',
    });
    await refused(
      'place_otoco_order',
      { ...base, pendingBelowType: 'STOP_LOSS', pendingBelowTrailingDelta: 250 },
      /pendingBelowTrailingDelta needs pendingBelowPrice/,
    );
    await refused(
      'place_otoco_order',
      { ...base, pendingAboveTrailingDelta: 100, pendingBelowType: 'STOP_LOSS', pendingBelowStopPrice: '56000' },
      /LIMIT_MAKER does not take pendingAboveTrailingDelta/,
    );
    await refused(
      'place_otoco_order',
      { ...base, pendingBelowType: 'STOP_LOSS', pendingBelowStopPrice: '56000', pendingBelowPrice: '55000' },
      /STOP_LOSS takes pendingBelowPrice only with pendingBelowTrailingDelta/,
    );
  });

  test('3. OTO and OTOCO take the side effects Binance documents: NO_SIDE_EFFECT, MARGIN_BUY', async () => {
    const oto = {
      ...working,
      pendingType: 'LIMIT_MAKER',
      pendingSide: 'SELL',
      pendingQuantity: '0.01',
      pendingPrice: '70000',
    };
    await accepted('place_oto_order', { ...oto, sideEffectType: 'MARGIN_BUY' });
    await refused('place_oto_order', { ...oto, sideEffectType: 'AUTO_REPAY' }, /sideEffectType/);
    await refused(
      'place_otoco_order',
      {
        ...working,
        pendingSide: 'SELL',
        pendingQuantity: '0.01',
        pendingAboveType: 'LIMIT_MAKER',
        pendingAbovePrice: '70000',
        sideEffectType: 'AUTO_BORROW_REPAY',
      },
      /sideEffectType/,
    );
    await accepted('place_order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.01',
      sideEffectType: 'AUTO_REPAY',
    });
  });

  test('4. documented windows and limits, named in the refusal', async () => {
    await refused(
      'get_all_orders',
      { symbol: 'BTCUSDT', startTime: T0, endTime: T0 + DAY + 1 },
      /startTime and endTime may be at most 24 hours apart/,
    );
    await accepted('get_all_orders', { symbol: 'BTCUSDT', startTime: T0, endTime: T0 + DAY });
    await refused(
      'get_my_trades',
      { symbol: 'BTCUSDT', startTime: T0, endTime: T0 + 2 * DAY },
      /at most 24 hours apart/,
    );
    await refused('get_borrow_repay_history', { type: 'BORROW' }, /Either txId or startTime is required/);
    await accepted('get_borrow_repay_history', { type: 'BORROW', txId: 5 });
    await refused(
      'get_borrow_repay_history',
      { type: 'BORROW', startTime: T0, endTime: T0 + 8 * DAY },
      /at most 7 days apart/,
    );
    await accepted('get_borrow_repay_history', { type: 'BORROW', asset: 'BTC', startTime: T0, endTime: T0 + 8 * DAY });
    await refused(
      'get_borrow_repay_history',
      { type: 'BORROW', asset: 'BTC', startTime: T0, endTime: T0 + 31 * DAY },
      /at most 30 days apart/,
    );
    await refused('get_interest_history', { startTime: T0, endTime: T0 + 31 * DAY }, /at most 30 days apart/);
    await refused('get_transfer_history', { startTime: T0, endTime: T0 + 31 * DAY }, /at most 30 days apart/);
    const eleven = ['BTC', 'ETH', 'BNB', 'XRP', 'ADA', 'SOL', 'DOT', 'DOGE', 'TRX', 'LTC', 'LINK'];
    await refused('exchange_small_liabilities', { assetNames: eleven }, /assetNames: at most 10 items/);
    await accepted('exchange_small_liabilities', { assetNames: eleven.slice(0, 10) });
    await refused('set_max_leverage', { maxLeverage: 10 }, /maxLeverage/);
    await accepted('set_max_leverage', { maxLeverage: 5 });
    assert.match(findEndpoint('set_max_leverage')!.description, /3 or 5.*Pro sunset 2026-04-13/);
  });

  test(
    '5. create_listen_token: no confirmation; isolated needs its pair; the listen-key tools are the Risk Data ' +
      'Stream',
    async () => {
      const r = await accepted('create_listen_token', { isIsolated: true, symbol: 'BTCUSDT', validity: 3_600_000 });
      assert.equal(r.status, undefined, 'sent without confirmation, like the listen keys');
      const sent = standIn.wire.requestsTo('POST', '/sapi/v1/userListenToken').at(-1)!;
      assert.deepEqual({ ...sent.params }, { symbol: 'BTCUSDT', isIsolated: 'true', validity: '3600000' });
      assert.equal(sent.rawQuery.includes('signature='), false, 'USER_STREAM: key only');
      await refused('create_listen_token', { isIsolated: true }, /isIsolated=true needs symbol/);
      await refused('create_listen_token', { validity: 86_400_001 }, /validity/);
      for (const name of ['start_user_stream', 'keepalive_user_stream', 'close_user_stream'])
        assert.match(findEndpoint(name)!.description, /Risk Data Stream/, name);
    },
  );

  test(
    '6. transfer_margin_collateral: only the margin types, pairs where isolated, a summary the ' + 'person can check',
    async () => {
      const p = await accepted('transfer_margin_collateral', { type: 'MAIN_MARGIN', asset: 'usdt', amount: 250 });
      assert.equal(p.status, 'confirmation_required');
      assert.match(p.summary, /^Transfer 250 USDT from the spot wallet to cross margin on main \(Mainnet\)( \(|$)/);
      const iso = await accepted('transfer_margin_collateral', {
        type: 'ISOLATEDMARGIN_ISOLATEDMARGIN',
        asset: 'USDT',
        amount: '5',
        fromSymbol: 'BTCUSDT',
        toSymbol: 'ETHUSDT',
      });
      assert.match(
        iso.summary,
        /^Transfer 5 USDT from isolated BTCUSDT to isolated ETHUSDT on main \(Mainnet\)( \(|$)/,
      );
      await refused('transfer_margin_collateral', { type: 'MAIN_UMFUTURE', asset: 'USDT', amount: '5' }, /type/);
      await refused(
        'transfer_margin_collateral',
        { type: 'MARGIN_ISOLATEDMARGIN', asset: 'USDT', amount: '5' },
        /type=MARGIN_ISOLATEDMARGIN needs toSymbol/,
      );
      await refused(
        'transfer_margin_collateral',
        { type: 'ISOLATEDMARGIN_MARGIN', asset: 'USDT', amount: '5' },
        /needs fromSymbol/,
      );
      await refused(
        'transfer_margin_collateral',
        { type: 'MAIN_MARGIN', asset: 'USDT', amount: '5', toSymbol: 'BTCUSDT' },
        /does not take toSymbol/,
      );
      await refused(
        'transfer_margin_collateral',
        {
          type: 'ISOLATEDMARGIN_ISOLATEDMARGIN',
          asset: 'USDT',
          amount: '5',
          fromSymbol: 'BTCUSDT',
          toSymbol: 'BTCUSDT',
        },
        /must be different pairs/,
      );
      await refused('get_collateral_transfers', { type: 'MARGIN_ISOLATEDMARGIN' }, /needs toSymbol/);
      const history = await accepted('get_collateral_transfers', { type: 'MAIN_MARGIN' });
      assert.equal(history.endpoint, 'GET /sapi/v1/asset/transfer');
      // Nothing else of the wallet is a tool.
      assert.deepEqual(
        CATALOG.filter(
          (e) =>
            !e.path.startsWith('/sapi/v1/margin') && !['/sapi/v1/bnbBurn', '/sapi/v1/userListenToken'].includes(e.path),
        )
          .map((e) => e.name)
          .sort(),
        ['get_collateral_transfers', 'transfer_margin_collateral'],
      );
    },
  );
});

describe('6. what the transfer entry tells the rails', () => {
  const e = findEndpoint('transfer_margin_collateral')!;
  const params = (p: Params) => p;

  test('valuation, move and reducesRisk: only spot → cross passes the kill switch', () => {
    assert.equal(e.valuation, 'transfer');
    assert.equal(e.write, true);
    assert.ok(!e.ungated);
    assert.deepEqual(e.move!(params({ type: 'MAIN_MARGIN', asset: 'USDT', amount: '250' })), {
      asset: 'USDT',
      amount: '250',
      from: 'SPOT',
      to: 'CROSS',
    });
    assert.deepEqual(
      e.move!(params({ type: 'ISOLATEDMARGIN_MARGIN', asset: 'BTC', amount: '0.1', fromSymbol: 'BTCUSDT' })),
      { asset: 'BTC', amount: '0.1', from: 'ISOLATED', to: 'CROSS', fromSymbol: 'BTCUSDT' },
    );
    assert.deepEqual(
      e.move!(params({ type: 'MARGIN_ISOLATEDMARGIN', asset: 'USDT', amount: '1', toSymbol: 'ETHUSDT' })),
      { asset: 'USDT', amount: '1', from: 'CROSS', to: 'ISOLATED', toSymbol: 'ETHUSDT' },
    );
    const reduces = (type: string) => e.reducesRisk!({ type });
    assert.equal(reduces('MAIN_MARGIN'), true);
    for (const t of ['MARGIN_MAIN', 'MARGIN_ISOLATEDMARGIN', 'ISOLATEDMARGIN_MARGIN', 'ISOLATEDMARGIN_ISOLATEDMARGIN'])
      assert.equal(reduces(t), false, t);
    assert.equal(findEndpoint('get_collateral_transfers')!.write, false);
  });
});
