/**
 * The confirmation gate: no state-changing Mainnet request reaches Binance except
 * through a pending action the user confirmed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CATALOG, isGated } from '../src/catalog/index.js';
import { Dispatcher } from '../src/pipeline/dispatch.js';
import type { ClearedAction } from '../src/pipeline/gate.js';
import { errorOf, startServer, structured, toolsMd, type StartOptions, type TestServer } from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startStandIn, type StandIn } from './helpers/standin.js';

const writes = (s: StandIn) => s.wire.requests.filter((r) => r.method !== 'GET');
const ORDER = {
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.01',
  price: '60000',
  sideEffectType: 'MARGIN_BUY',
};

async function withMainnet(
  fn: (s: TestServer, standIn: StandIn) => Promise<void>,
  opts: { args?: string[]; env?: Record<string, string>; elicit?: StartOptions['elicit'] } = {},
) {
  const standIn = await startStandIn(CATALOG.map((e) => ({ method: e.method, path: e.path, security: e.security })));
  const apiKey = randomApiKey();
  const secret = randomSecret();
  standIn.wire.addKey({ apiKey, accountId: 'main', hmacSecret: secret });
  const s = await startServer({
    toolsMd: toolsMd([
      { name: 'main', fields: { 'API Key': apiKey, Secret: secret, Environment: 'Mainnet' } },
      { name: 'play', fields: { 'API Key': randomApiKey(), Secret: randomSecret(), Environment: 'Sandbox' } },
    ]),
    args: opts.args,
    env: { BINANCE_MAINNET_BASE_URL: standIn.url, ...opts.env },
    elicit: opts.elicit,
  });
  try {
    await fn(s, standIn);
  } finally {
    await s.close();
    await standIn.close();
  }
}

describe('pending actions and confirm_action', () => {
  test('a Mainnet write sends nothing and returns a token, summary and frozen action', () =>
    withMainnet(async (s, standIn) => {
      const r = await s.call('place_order', ORDER);
      const p = structured(r);
      assert.equal(p.status, 'confirmation_required');
      assert.match(p.token, /^pa_[A-Za-z0-9_-]{32}$/, 'at least 128 random bits');
      assert.ok(Date.parse(p.expiresAt) > Date.now());
      assert.deepEqual(Object.keys(p.action).sort(), ['account', 'endpoint', 'environment', 'params']);
      assert.equal(p.action.environment, 'mainnet');
      assert.match(
        p.summary,
        /^BUY 0\.01 BTCUSDT LIMIT at 60000 GTC, borrowing as needed \(MARGIN_BUY\), on main \(Mainnet\)/,
      );
      assert.equal(writes(standIn).length, 0);
      const listed = structured(await s.call('list_pending_actions')).pending;
      assert.equal(listed.length, 1);
      assert.equal(listed[0].summary, p.summary);
    }));

  test('CONFIRM executes exactly the frozen request once, with a fresh timestamp', () =>
    withMainnet(async (s, standIn) => {
      const p = structured(await s.call('place_order', ORDER));
      await new Promise((r) => setTimeout(r, 20));
      const done = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
      assert.ok(!done.isError, JSON.stringify(done.structuredContent));
      const sent = writes(standIn);
      assert.equal(sent.length, 1);
      const { timestamp, signature, ...wire } = sent[0].params;
      assert.deepEqual(wire, p.action.params);
      assert.ok(Number(timestamp) > Date.parse(p.expiresAt) - 120_000 + 10, 'timestamp taken at confirmation');
      assert.ok(signature);
      const again = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
      assert.equal(errorOf(again).kind, 'confirmation');
      assert.match(errorOf(again).message, /Unknown, used or expired/);
      assert.equal(writes(standIn).length, 1, 'a token works once');
    }));

  test('wrong texts are refused without using the token; tampered tokens are refused', () =>
    withMainnet(async (s, standIn) => {
      const p = structured(
        await s.call('borrow_or_repay', {
          asset: 'USDT',
          isIsolated: 'TRUE',
          symbol: 'BTCUSDT',
          amount: '100',
          type: 'BORROW',
        }),
      );
      assert.match(p.summary, /^Borrow 100 USDT in the isolated BTCUSDT account on main \(Mainnet\)/);
      for (const text of ['confirm', 'yes', 'CONFIRM!', 'C ONFIRM', 'CONFIRMED', '']) {
        const r = await s.call('confirm_action', { token: p.token, confirmation: text });
        assert.equal(errorOf(r).kind, 'confirmation', text);
        assert.match(errorOf(r).message, /exactly the word CONFIRM/);
      }
      for (const token of [
        p.token.slice(0, -1) + (p.token.endsWith('A') ? 'B' : 'A'),
        `${p.token}x`,
        `pa_${'A'.repeat(32)}`,
      ]) {
        const r = await s.call('confirm_action', { token, confirmation: 'CONFIRM' });
        assert.match(errorOf(r).message, /Unknown, used or expired/);
      }
      // the frozen parameters cannot be changed at confirmation: confirm_action takes no others
      const changed = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM', amount: '100000' });
      assert.equal(changed.isError, true);
      assert.equal(writes(standIn).length, 0);
      const ok = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
      assert.ok(!ok.isError);
      assert.equal(writes(standIn)[0].params.amount, '100');
    }));

  test('an expired token is refused', () =>
    withMainnet(
      async (s, standIn) => {
        const p = structured(await s.call('set_max_leverage', { maxLeverage: 5 }));
        assert.match(p.summary, /^Set cross margin max leverage to 5 on main \(Mainnet\)/);
        await new Promise((r) => setTimeout(r, 1100));
        const r = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
        assert.equal(errorOf(r).kind, 'confirmation');
        assert.match(errorOf(r).message, /expired|Unknown/);
        assert.equal(writes(standIn).length, 0);
      },
      { env: { BINANCE_CONFIRM_TTL_SECONDS: '1' } },
    ));

  test('cancel_pending_action drops a token', () =>
    withMainnet(async (s, standIn) => {
      const p = structured(await s.call('enable_isolated_account', { symbol: 'BTCUSDT' }));
      assert.equal(structured(await s.call('cancel_pending_action', { token: p.token })).cancelled, true);
      const r = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
      assert.equal(r.isError, true);
      assert.equal(writes(standIn).length, 0);
    }));

  test('every state-changing endpoint has its own summary sentence', () => {
    const seen = new Set<string>();
    for (const e of CATALOG.filter((c) => c.write)) {
      assert.ok(e.summary, `${e.name} has a summary`);
      const text = e.summary!(
        {
          symbol: 'BTCUSDT',
          asset: 'BTC',
          amount: '1',
          type: 'BORROW',
          side: 'BUY',
          quantity: '1',
          price: '2',
          stopPrice: '1',
          apiName: 'k',
          ip: '1.1.1.1',
          assetNames: 'BTC',
          maxLeverage: 3,
          orderId: 1,
          orderListId: 2,
          listenKey: 'x',
          workingSide: 'BUY',
          workingType: 'LIMIT',
          workingQuantity: '1',
          workingPrice: '1',
          pendingType: 'MARKET',
          pendingSide: 'SELL',
          pendingQuantity: '1',
          pendingAboveType: 'LIMIT_MAKER',
        },
        { where: 'on main (Mainnet)' },
      );
      assert.ok(text.includes('on main (Mainnet)'), e.name);
      assert.ok(!seen.has(text), `${e.name} summary is not generic`);
      seen.add(text);
    }
  });
});

describe('scope of the gate', () => {
  test('reads are never gated; listen-key calls need no confirmation', () =>
    withMainnet(async (s, standIn) => {
      assert.ok(!(await s.call('get_cross_margin_account')).isError);
      const r = await s.call('start_user_stream');
      assert.equal(structured(r).status, undefined);
      assert.equal(writes(standIn).length, 1);
      for (const e of CATALOG) if (e.path.endsWith('/listen-key')) assert.equal(isGated(e), false, e.name);
    }));

  test('--confirm-all gates the sandbox too', () =>
    withMainnet(
      async (s) => {
        const r = await s.call('enable_isolated_account', { symbol: 'BTCUSDT', account: 'play' });
        const p = structured(r);
        assert.equal(p.status, 'confirmation_required');
        assert.match(p.summary, /on play \(Sandbox\)/);
        assert.equal(s.handle.gate.size, 1);
      },
      { args: ['--confirm-all'] },
    ));

  test('--read-only lists no write and refuses one called anyway', () =>
    withMainnet(
      async (s, standIn) => {
        const { tools } = await s.client.listTools();
        const names = new Set(tools.map((t) => t.name));
        for (const e of CATALOG) assert.equal(names.has(e.name), !e.write, e.name);
        const r = await s.call('place_order', ORDER);
        assert.equal(r.isError, true);
        assert.equal(writes(standIn).length, 0);
      },
      { args: ['--read-only'] },
    ));

  test('the dispatcher refuses a write that the gate did not clear', async () => {
    const d = new Dispatcher({} as never, {} as never, {} as never, 0);
    const endpoint = CATALOG.find((e) => e.name === 'place_order')!;
    const forged = {
      id: 'x',
      tool: 'place_order',
      account: 'main',
      environment: 'mainnet',
      endpoint: 'POST /sapi/v1/margin/order',
      params: {},
      summary: '',
    } as unknown as ClearedAction;
    await assert.rejects(d.write({ name: 'main' } as never, endpoint, forged), /did not clear/);
    await assert.rejects(d.read({ name: 'main' } as never, endpoint, {}), /called with a write/);
  });
});

describe('elicitation', () => {
  const ask =
    (answer: { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, string> } | 'throw' | 'hang') =>
    async () => {
      if (answer === 'throw') throw new Error('client broke');
      if (answer === 'hang') return new Promise<never>(() => undefined);
      return answer;
    };

  test('accept + CONFIRM executes at once; the agent never holds a token', () =>
    withMainnet(
      async (s, standIn) => {
        const r = await s.call('place_order', ORDER);
        assert.ok(!r.isError, JSON.stringify(r.structuredContent));
        assert.equal(structured(r).status, undefined);
        assert.equal(writes(standIn).length, 1);
        assert.equal(s.handle.gate.size, 0);
        const intent = s.handle.journal.recent(5).find((e) => e.phase === 'intent');
        assert.equal(intent?.confirmedVia, 'elicitation', 'the journal says how the user confirmed');
      },
      { elicit: ask({ action: 'accept', content: { confirmation: 'CONFIRM' } }) },
    ));

  for (const [name, answer] of [
    ['decline', { action: 'decline' }],
    ['cancel', { action: 'cancel' }],
    ['wrong text', { action: 'accept', content: { confirmation: 'yes' } }],
    ['an error', 'throw'],
  ] as const) {
    test(`${name} executes nothing and issues no token`, () =>
      withMainnet(
        async (s, standIn) => {
          const r = await s.call('place_order', ORDER);
          assert.equal(r.isError, true);
          assert.equal(errorOf(r).kind, 'confirmation');
          assert.equal(writes(standIn).length, 0);
          assert.equal(s.handle.gate.size, 0);
          assert.ok(!JSON.stringify(r).includes('pa_'));
        },
        { elicit: ask(answer as never) },
      ));
  }

  test('a timed-out elicitation fails closed', () =>
    withMainnet(
      async (s, standIn) => {
        const r = await s.call('place_order', ORDER);
        assert.equal(errorOf(r).kind, 'confirmation');
        assert.match(errorOf(r).message, /no token was issued/);
        assert.equal(writes(standIn).length, 0);
        assert.equal(s.handle.gate.size, 0);
      },
      { elicit: ask('hang'), env: { BINANCE_CONFIRM_TTL_SECONDS: '1' } },
    ));

  test('--confirm-via token issues a token even to a client with elicitation', () =>
    withMainnet(
      async (s) => {
        assert.equal(structured(await s.call('place_order', ORDER)).status, 'confirmation_required');
      },
      { elicit: ask({ action: 'accept', content: { confirmation: 'CONFIRM' } }), args: ['--confirm-via', 'token'] },
    ));

  test('--confirm-via elicitation refuses writes when the client cannot elicit', () =>
    withMainnet(
      async (s, standIn) => {
        const r = await s.call('place_order', ORDER);
        assert.equal(errorOf(r).kind, 'config');
        assert.equal(writes(standIn).length, 0);
        assert.equal(s.handle.gate.size, 0);
      },
      { args: ['--confirm-via', 'elicitation'] },
    ));
});
