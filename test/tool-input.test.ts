/**
 * What a tool accepts is wider than what it advertises (issue 17): `null` for an
 * optional parameter is absent (docs/contract.md §4; what clients that convert schemas to
 * OpenAI strict mode send), string identifiers take a whole JSON number (the Inspector
 * CLI sends `--tool-arg origClientOrderId=12345` as one), lists take an array or "A,B",
 * and maxLeverage is an integer from its set. The wire format does not change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { CATALOG, paramsOf } from '../src/catalog/index.js';
import { toolInput } from '../src/catalog/params.js';
import { inputSchemaOf } from '../src/tools/endpoint-tools.js';
import { startServer, structured, toolsMd, type TestServer } from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startStandIn, type StandIn } from './helpers/standin.js';

describe('null for an optional parameter is absent', () => {
  test('in every endpoint tool, for every optional parameter and account', () => {
    let checked = 0;
    for (const e of CATALOG) {
      const params: Record<string, z.ZodType> = { ...paramsOf(e), account: z.string().optional() };
      const optional = Object.keys(params).filter((k) => params[k].safeParse(undefined).success);
      const nulls = Object.fromEntries(optional.map((k) => [k, null]));
      const r = inputSchemaOf(e).safeParse(nulls);
      const atOptional = r.success ? [] : r.error.issues.filter((i) => optional.includes(String(i.path[0])));
      assert.deepEqual(atOptional, [], `${e.name}: null refused`);
      if (r.success) assert.deepEqual(r.data, {}, `${e.name}: nulls are dropped`);
      checked += optional.length;
    }
    assert.ok(checked > 250, `${checked} optional parameters`);
  });

  test(
    'toolInput: optional nulls dropped, a required null and unknown keys still refused, the JSON Schema ' + 'unchanged',
    () => {
      const shape = { a: z.string().optional(), b: z.string(), n: z.number().int().optional() };
      const schema = toolInput(shape);
      assert.deepEqual(schema.parse({ a: null, b: 'x', n: null }), { b: 'x' });
      assert.deepEqual(schema.parse({ a: 'y', b: 'x' }), { a: 'y', b: 'x' });
      const required = schema.safeParse({ b: null });
      assert.equal(required.success, false);
      assert.deepEqual(
        required.error!.issues.map((i) => i.path),
        [['b']],
      );
      assert.equal(schema.safeParse({ b: 'x', c: null }).success, false, 'an unknown key, even null, is refused');
      assert.deepEqual(z.toJSONSchema(schema, { io: 'input' }), z.toJSONSchema(z.strictObject(shape), { io: 'input' }));
    },
  );
});

describe('tool input on the wire', () => {
  let standIn: StandIn;
  let server: TestServer;
  const apiKey = randomApiKey();
  const secret = randomSecret();

  before(async () => {
    standIn = await startStandIn(CATALOG.map((e) => ({ method: e.method, path: e.path, security: e.security })));
    standIn.wire.addKey({ apiKey, accountId: 'main', hmacSecret: secret });
    server = await startServer({
      toolsMd: toolsMd([
        { name: 'main', fields: { 'API Key': apiKey, Secret: secret, Environment: 'Mainnet' } },
        { name: '7', fields: { 'API Key': apiKey, Secret: secret, Environment: 'Mainnet' } },
      ]),
      env: { BINANCE_MAINNET_BASE_URL: standIn.url },
    });
  });
  after(async () => {
    await server.close();
    await standIn.close();
  });

  const text = (r: { content: unknown }) => (r.content as { text: string }[])[0].text;
  /** The refusal names the parameter and the rule, in whichever order. */
  const names = (param: string, rule: string) => new RegExp(`(?=[\\s\\S]*${param})(?=[\\s\\S]*${rule})`);
  const last = (method: string, path: string) => standIn.wire.requestsTo(method, path).at(-1)!;

  async function refused(tool: string, args: Record<string, unknown>, pattern: RegExp) {
    const n = standIn.wire.requests.length;
    const r = await server.call(tool, args);
    assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)} should be refused`);
    assert.match(text(r), pattern);
    assert.equal(standIn.wire.requests.length, n, 'nothing was sent');
  }

  test('what a strict-mode client sends: null for every optional parameter', async () => {
    const read = await server.call('get_open_orders', {
      symbol: null,
      isIsolated: null,
      recvWindow: null,
      account: null,
    });
    assert.notEqual(read.isError, true, text(read));
    assert.doesNotMatch(last('GET', '/sapi/v1/margin/openOrders').rawQuery, /symbol|isIsolated|null/);
    const optionalNull = Object.fromEntries(
      [
        'isIsolated',
        'quoteOrderQty',
        'price',
        'stopPrice',
        'newClientOrderId',
        'icebergQty',
        'newOrderRespType',
        'sideEffectType',
        'timeInForce',
        'selfTradePreventionMode',
        'autoRepayAtCancel',
        'recvWindow',
        'account',
      ].map((k) => [k, null]),
    );
    const pending = structured(
      await server.call('place_order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: '0.001',
        ...optionalNull,
      }),
    );
    assert.equal(pending.status, 'confirmation_required');
    assert.deepEqual(Object.keys(pending.action.params), ['symbol', 'side', 'type', 'quantity', 'newClientOrderId']);
    assert.match(
      pending.action.params.newClientOrderId,
      /^agent-[A-Za-z0-9]{18}$/,
      'a null id is generated like an absent one',
    );
    await refused('get_order', { symbol: null, orderId: 1 }, /symbol/);
  });

  test('string identifiers take a whole JSON number and send its digits', async () => {
    const got = await server.call('get_order', { symbol: 'BTCUSDT', origClientOrderId: 12345 });
    assert.notEqual(got.isError, true, text(got));
    assert.match(last('GET', '/sapi/v1/margin/order').rawQuery, /(^|&)origClientOrderId=12345&/);
    const kept = await server.call('keepalive_user_stream', { listenKey: 9876543210 });
    assert.notEqual(kept.isError, true, text(kept));
    assert.match(
      last('PUT', '/sapi/v1/margin/listen-key').rawQuery + last('PUT', '/sapi/v1/margin/listen-key').body,
      /listenKey=9876543210(&|$)/,
    );
    const cancel = structured(
      await server.call('cancel_order_list', { symbol: 'BTCUSDT', listClientOrderId: 777, newClientOrderId: 42 }),
    );
    assert.equal(cancel.action.params.listClientOrderId, '777');
    assert.equal(cancel.action.params.newClientOrderId, 'agent-42');
    const key = structured(await server.call('delete_special_key', { apiName: 2024 }));
    assert.equal(key.action.params.apiName, '2024');
    const account = await server.call('get_bnb_burn_status', { account: 7 });
    assert.equal(structured(account).account, '7', text(account));
    await refused('get_order', { symbol: 'BTCUSDT', origClientOrderId: 2 ** 60 }, names('origClientOrderId', '2\\^53'));
    await refused(
      'get_order',
      { symbol: 'BTCUSDT', origClientOrderId: 1.5 },
      names('origClientOrderId', 'whole number'),
    );
    await refused('get_order', { symbol: 'BTCUSDT', origClientOrderId: -3 }, /origClientOrderId/);
  });

  test('lists: an array or "A,B", sent as "A,B"', async () => {
    for (const symbols of [['BTCUSDT', 'ETHUSDT'], 'BTCUSDT,ETHUSDT', 'BTCUSDT, ETHUSDT']) {
      const r = await server.call('get_isolated_account', { symbols });
      assert.notEqual(r.isError, true, text(r));
      assert.match(
        last('GET', '/sapi/v1/margin/isolated/account').rawQuery,
        /(^|&)symbols=BTCUSDT%2CETHUSDT&/,
        JSON.stringify(symbols),
      );
    }
    await refused('get_isolated_account', { symbols: [] }, names('symbols', 'at least one'));
    await refused('get_isolated_account', { symbols: ['BTC-USDT'] }, /symbols/);
  });

  test('maxLeverage: an integer of 3 or 5', async () => {
    const r = structured(await server.call('set_max_leverage', { maxLeverage: 5 }));
    assert.equal(r.action.params.maxLeverage, 5);
    await refused('set_max_leverage', { maxLeverage: 4 }, names('maxLeverage', 'one of 3, 5'));
    await refused('set_max_leverage', { maxLeverage: 5.5 }, /maxLeverage/);
    await refused('set_max_leverage', { maxLeverage: '5' }, /maxLeverage/);
  });

  test('decimals are advertised as strings and still taken as numbers, sent without exponent', async () => {
    const r = structured(
      await server.call('borrow_or_repay', {
        asset: 'BTC',
        isIsolated: 'FALSE',
        symbol: 'BTCUSDT',
        amount: 2.5e-7,
        type: 'BORROW',
      }),
    );
    assert.equal(r.action.params.amount, '0.00000025');
    await refused(
      'borrow_or_repay',
      { asset: 'BTC', isIsolated: 'FALSE', symbol: 'BTCUSDT', amount: -1, type: 'BORROW' },
      names('amount', 'decimal'),
    );
    await refused(
      'borrow_or_repay',
      { asset: 'BTC', isIsolated: 'FALSE', symbol: 'BTCUSDT', amount: true, type: 'BORROW' },
      /amount/,
    );
  });
});
