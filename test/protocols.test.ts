/**
 * Both protocol generations, through the official SDK clients: a v1 client
 * (2025-11-25, initialize), a v2 client opening the 2025 way, and a v2 client on
 * 2026-07-28 (server/discover, the per-request envelope, input_required rounds).
 * Each confirms a gated Mainnet write the way it can: token, elicitation or an
 * in-band (input_required) round with sealed request state. Arguments that fail a
 * tool's schema are refused in our envelope on every generation (issue 17.3).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { CATALOG } from '../src/catalog/index.js';
import { NON_ENDPOINT_TOOLS } from './helpers/tools.js';
import { validationFailure } from '../src/tools/registry.js';
import {
  errorOf,
  startServer,
  startServerV2,
  structured,
  toolsMd,
  type StartOptions,
  type TestServer,
  type TestServerV2,
} from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startStandIn, type StandIn } from './helpers/standin.js';

const writes = (s: StandIn) => s.wire.requests.filter((r) => r.method !== 'GET');
const ORDER = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '60000' };
const CONFIRM = { action: 'accept' as const, content: { confirmation: 'CONFIRM' } };

type Kind = 'v1' | 'legacy' | 'modern';
type Any = TestServer | TestServerV2;

async function withMainnet(
  kind: Kind,
  fn: (s: Any, standIn: StandIn) => Promise<void>,
  opts: Omit<StartOptions, 'toolsMd'> & { clientOptions?: Record<string, unknown> } = {},
) {
  const standIn = await startStandIn(CATALOG.map((e) => ({ method: e.method, path: e.path, security: e.security })));
  const apiKey = randomApiKey();
  const secret = randomSecret();
  standIn.wire.addKey({ apiKey, accountId: 'main', hmacSecret: secret });
  const start: StartOptions = {
    ...opts,
    toolsMd: toolsMd([
      { name: 'main', fields: { 'API Key': apiKey, Secret: secret, Environment: 'Mainnet' } },
      { name: 'other', fields: { 'API Key': randomApiKey(), Secret: randomSecret(), Environment: 'Mainnet' } },
    ]),
    env: { BINANCE_MAINNET_BASE_URL: standIn.url, ...opts.env },
  };
  const s =
    kind === 'v1'
      ? await startServer(start)
      : await startServerV2({ ...start, era: kind, clientOptions: opts.clientOptions });
  try {
    await fn(s, standIn);
  } finally {
    await s.close();
    await standIn.close();
  }
}

const journal = (s: Any) => s.handle.journal.recent(50);

describe('each generation is served, and told apart', () => {
  for (const kind of ['v1', 'legacy', 'modern'] as const)
    test(`${kind} client: lists every tool and calls one`, () =>
      withMainnet(kind, async (s) => {
        const { tools } = await s.client.listTools();
        assert.equal(tools.length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
        assert.deepEqual(tools.find((t) => t.name === 'place_order')?._meta, {
          'binance/endpoint': 'POST /sapi/v1/margin/order',
          ui: { resourceUri: 'ui://binance-margin/confirm-card.html' },
        });
        const r = (await s.call('get_cross_margin_account')) as CallToolResult;
        assert.notEqual(r.isError, true, JSON.stringify(r));
        assert.equal(structured(r).endpoint, 'GET /sapi/v1/margin/account');
        assert.match(s.client.getInstructions() ?? '', /confirm_action/);
        if (kind !== 'v1')
          assert.equal(
            (s as TestServerV2).client.getNegotiatedProtocolVersion(),
            kind === 'modern' ? '2026-07-28' : '2025-11-25',
          );
      }));

  test('server_status says how this client is asked', async () => {
    const said: Record<string, string> = {};
    for (const [label, kind, elicit] of [
      ['v1 without elicitation', 'v1', false],
      ['v1 with elicitation', 'v1', true],
      ['2026 with elicitation', 'modern', true],
      ['2026 without elicitation', 'modern', false],
    ] as const)
      await withMainnet(
        kind,
        async (s) => void (said[label] = structured(await s.call('server_status')).confirmation),
        elicit ? { elicit: () => CONFIRM } : {},
      );
    assert.match(said['v1 without elicitation'], /^auto → token/);
    assert.match(said['v1 with elicitation'], /^auto → elicitation/);
    assert.match(said['2026 with elicitation'], /^auto → input-required/);
    assert.match(said['2026 without elicitation'], /^auto → token/);
  });
});

describe('the gate on each generation', () => {
  test(
    '2026-07-28 with elicitation: an input_required round asks the user; CONFIRM executes the sealed ' + 'action once',
    () => {
      const asked: string[] = [];
      return withMainnet(
        'modern',
        async (s, standIn) => {
          const r = await s.call('place_order', ORDER);
          assert.notEqual(r.isError, true, JSON.stringify(r.structuredContent));
          assert.equal(structured(r).status, undefined, 'no token: the user was asked in-band');
          assert.equal(asked.length, 1);
          assert.match(asked[0], /^BUY 0\.01 BTCUSDT LIMIT at 60000 GTC, on main \(Mainnet\)/);
          assert.match(asked[0], /Type CONFIRM/);
          const sent = writes(standIn);
          assert.equal(sent.length, 1);
          assert.equal(sent[0].params.price, '60000');
          assert.equal(s.handle.gate.size, 0, 'no token was issued');
          assert.equal(s.handle.sealed.size, 0, 'the sealed state is used up');
          const phases = journal(s)
            .filter((e) => e.tool === 'place_order')
            .map((e) => `${e.phase}${e.reason ? `:${e.reason}` : ''}`);
          assert.deepEqual(phases.reverse(), ['pending:input_required', 'intent', 'result']);
          const intent = journal(s).find((e) => e.tool === 'place_order' && e.phase === 'intent');
          assert.equal(intent?.confirmedVia, 'input-required');
        },
        {
          elicit: (m) => {
            asked.push(m);
            return CONFIRM;
          },
        },
      );
    },
  );

  for (const [name, answer] of [
    ['declines', { action: 'decline' as const }],
    ['cancels', { action: 'cancel' as const }],
    ['types something else', { action: 'accept' as const, content: { confirmation: 'yes' } }],
  ] as const)
    test(`2026-07-28: a user who ${name} executes nothing`, () =>
      withMainnet(
        'modern',
        async (s, standIn) => {
          const r = await s.call('place_order', ORDER);
          assert.equal(r.isError, true);
          assert.equal(errorOf(r).kind, 'confirmation');
          assert.match(errorOf(r).message, /nothing was executed/);
          assert.equal(writes(standIn).length, 0);
          assert.equal(s.handle.gate.size, 0);
          assert.equal(journal(s)[0].phase, 'refused');
        },
        { elicit: () => answer },
      ));

  test('2026-07-28 by hand: a replayed, an altered or a re-targeted request state executes nothing', () =>
    withMainnet(
      'modern',
      async (s, standIn) => {
        const client = (s as TestServerV2).client;
        const call = (params: Record<string, unknown>) =>
          client.request(
            { method: 'tools/call', params: { name: 'borrow_or_repay', ...params } },
            { allowInputRequired: true },
          ) as Promise<Record<string, any>>;
        const args = { asset: 'USDT', isIsolated: 'TRUE', symbol: 'BTCUSDT', amount: '100', type: 'BORROW' };
        const confirm = { confirm: { action: 'accept', content: { confirmation: 'CONFIRM' } } };

        const first = await call({ arguments: args });
        assert.equal(first.resultType, 'input_required');
        assert.equal(first.inputRequests.confirm.method, 'elicitation/create');
        assert.match(first.inputRequests.confirm.params.message, /^Borrow 100 USDT/);
        const state = first.requestState as string;
        assert.match(state, /^bmm1\./);
        assert.equal(writes(standIn).length, 0, 'asking sends nothing');

        // Altered: one character of the sealed body changed.
        const i = state.length - 30;
        const altered = state.slice(0, i) + (state[i] === 'A' ? 'B' : 'A') + state.slice(i + 1);
        let r = await call({ arguments: args, inputResponses: confirm, requestState: altered });
        assert.equal(r.isError, true);
        assert.match(r.structuredContent.error.message, /invalid or was altered/);

        // Re-targeted: the same state presented for another account.
        const other = await call({ arguments: args });
        r = await call({
          arguments: { ...args, account: 'other' },
          inputResponses: confirm,
          requestState: other.requestState,
        });
        assert.match(r.structuredContent.error.message, /was made for borrow_or_repay on main/);
        r = await call({ arguments: args, inputResponses: confirm, requestState: other.requestState });
        assert.match(r.structuredContent.error.message, /already answered/, 'a refused state is used up');
        assert.equal(writes(standIn).length, 0);

        // The genuine state executes exactly what was sealed, even if the retry's arguments differ …
        r = await call({ arguments: { ...args, amount: '100000' }, inputResponses: confirm, requestState: state });
        assert.notEqual(r.isError, true, JSON.stringify(r));
        assert.equal(writes(standIn).length, 1);
        assert.equal(writes(standIn)[0].params.amount, '100');
        // … once.
        r = await call({ arguments: args, inputResponses: confirm, requestState: state });
        assert.match(r.structuredContent.error.message, /already answered/);
        assert.equal(writes(standIn).length, 1);
      },
      { elicit: () => CONFIRM, clientOptions: { inputRequired: { autoFulfill: false } } },
    ));

  test('2026-07-28 without elicitation: a token, redeemed with confirm_action', () =>
    withMainnet('modern', async (s, standIn) => {
      const p = structured(await s.call('place_order', ORDER));
      assert.equal(p.status, 'confirmation_required');
      assert.equal(writes(standIn).length, 0);
      const done = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
      assert.notEqual(done.isError, true, JSON.stringify(done.structuredContent));
      assert.equal(writes(standIn).length, 1);
    }));

  test('2026-07-28 with URL-mode elicitation only: no form can be shown, so a token', () =>
    withMainnet(
      'modern',
      async (s, standIn) => {
        assert.equal(structured(await s.call('place_order', ORDER)).status, 'confirmation_required');
        assert.equal(writes(standIn).length, 0);
        assert.equal(s.handle.sealed.size, 0);
      },
      { elicit: () => CONFIRM, clientOptions: { capabilities: { elicitation: { url: {} } } } },
    ));

  test('2025 v2 client with elicitation: asked through elicitation, as before', () =>
    withMainnet(
      'legacy',
      async (s, standIn) => {
        const r = await s.call('place_order', ORDER);
        assert.notEqual(r.isError, true, JSON.stringify(r.structuredContent));
        assert.equal(writes(standIn).length, 1);
        assert.equal(s.handle.sealed.size, 0, 'no in-band round on a 2025 connection');
        assert.equal(journal(s).find((e) => e.phase === 'pending')?.reason, 'elicitation');
      },
      { elicit: () => CONFIRM },
    ));

  test('--confirm-via input-required refuses writes from a 2025 client and sends nothing', () =>
    withMainnet(
      'v1',
      async (s, standIn) => {
        const r = await s.call('place_order', ORDER);
        assert.equal(errorOf(r).kind, 'config');
        assert.match(errorOf(r).message, /--confirm-via input-required/);
        assert.equal(writes(standIn).length, 0);
        assert.equal(s.handle.gate.size, 0);
      },
      { elicit: () => CONFIRM, args: ['--confirm-via', 'input-required'] },
    ));

  test('--confirm-via elicitation takes the in-band round on a 2026-07-28 client', () =>
    withMainnet(
      'modern',
      async (s, standIn) => {
        assert.notEqual((await s.call('place_order', ORDER)).isError, true);
        assert.equal(writes(standIn).length, 1);
      },
      { elicit: () => CONFIRM, args: ['--confirm-via', 'elicitation'] },
    ));
});

describe('arguments that fail the schema (17.3)', () => {
  for (const kind of ['v1', 'modern'] as const)
    test(`${kind}: refused as kind validation with the parameter's path; nothing sent; the write journaled`, () =>
      withMainnet(kind, async (s, standIn) => {
        const cases: [Record<string, unknown>, string, RegExp][] = [
          [{ ...ORDER, quantity: true }, 'quantity', /quantity/],
          [{ ...ORDER, side: 'LONG' }, 'side', /side/],
          [{ ...ORDER, isolated: 'TRUE' }, 'isolated', /unknown parameter isolated/],
          [{ ...ORDER, symbol: undefined }, 'symbol', /symbol/],
        ];
        for (const [args, path, re] of cases) {
          const r = await s.call('place_order', args);
          assert.equal(r.isError, true, `${JSON.stringify(args)} → ${JSON.stringify(r)}`);
          const e = errorOf(r) as { kind: string; message: string; path?: string };
          assert.equal(e.kind, 'validation');
          assert.equal(e.path, path);
          assert.match(e.message, re);
          assert.doesNotMatch(e.message, /MCP error|-32602/);
          assert.deepEqual(JSON.parse((r.content as { text: string }[])[0].text), r.structuredContent);
        }
        assert.equal(standIn.wire.requests.length, 0, 'nothing was sent');
        const refused = journal(s).filter((e) => e.phase === 'refused' && e.tool === 'place_order');
        assert.equal(refused.length, cases.length);
        assert.match(String(refused[0].reason), /Invalid arguments for place_order/);
        // A read refused the same way is not journaled; null means absent.
        const read = await s.call('get_price_index', { symbol: 42 });
        assert.equal((errorOf(read) as { path?: string }).path, 'symbol');
        assert.equal(journal(s).length, cases.length);
        assert.notEqual((await s.call('get_open_orders', { symbol: null })).isError, true);
      }));
});

test('a leg of an order list is named by its path; an unknown key by its name', () => {
  const schema = z.strictObject({
    symbol: z.string(),
    orders: z.array(z.strictObject({ side: z.enum(['BUY', 'SELL']), price: z.string() })),
  });
  const bad = schema.safeParse({
    symbol: 'BTCUSDT',
    orders: [
      { side: 'BUY', price: '1' },
      { side: 'BUY', price: 2 },
    ],
  });
  assert.equal(bad.success, false);
  const err = validationFailure('place_order_list', bad.error!.issues);
  assert.equal(err.kind, 'validation');
  assert.deepEqual(err.toJSON().path, 'orders[1].price');
  assert.match(err.message, /^Invalid arguments for place_order_list: orders\[1\]\.price: /);
  const extra = schema.safeParse({ symbol: 'BTCUSDT', orders: [{ side: 'BUY', price: '1', stopPrice: '2' }] });
  assert.equal(validationFailure('x', extra.error!.issues).toJSON().path, 'orders[0].stopPrice');
});
