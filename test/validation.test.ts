/**
 * Bad input is refused before anything is sent, with an error that names the
 * parameter and the rule; decimals go out without exponent notation; client order
 * ids follow docs/contract.md §7.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CATALOG, endpointId, paramsOf } from '../src/catalog/index.js';
import { newClientOrderId } from '../src/pipeline/prepare.js';
import { ToolRegistry, type ToolCallContext } from '../src/tools/registry.js';
import { z } from 'zod';
import {
  assertRefusedBeforeSending,
  errorOf,
  startServer,
  structured,
  toolsMd,
  type TestServer,
} from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startStandIn, type StandIn } from './helpers/standin.js';

describe('validation before anything is sent', () => {
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

  const order = { symbol: 'BTCUSDT', side: 'BUY' };
  test('what each order type requires', async () => {
    await refused(
      'place_order',
      { ...order, type: 'LIMIT', quantity: '1', timeInForce: 'GTC' },
      /type=LIMIT needs price/,
    );
    await refused(
      'place_order',
      { ...order, type: 'LIMIT', quantity: '1', price: '1' },
      /type=LIMIT needs timeInForce/,
    );
    await refused('place_order', { ...order, type: 'MARKET' }, /exactly one of quantity or quoteOrderQty/);
    await refused(
      'place_order',
      { ...order, type: 'MARKET', quantity: '1', quoteOrderQty: '10' },
      /exactly one of quantity or quoteOrderQty/,
    );
    await refused(
      'place_order',
      { ...order, type: 'MARKET', quantity: '1', price: '5' },
      /type=MARKET does not take price/,
    );
    await refused('place_order', { ...order, type: 'STOP_LOSS', quantity: '1' }, /type=STOP_LOSS needs stopPrice/);
    await refused(
      'place_order',
      { ...order, type: 'STOP_LOSS_LIMIT', quantity: '1', price: '1', stopPrice: '2' },
      /needs timeInForce/,
    );
    await refused(
      'place_order',
      { ...order, type: 'LIMIT', quantity: '1', price: '1', timeInForce: 'IOC', icebergQty: '0.1' },
      /icebergQty needs timeInForce=GTC/,
    );
    await refused(
      'place_order',
      { ...order, type: 'MARKET', quantity: '1', icebergQty: '0.1' },
      /does not take icebergQty/,
    );
    await refused(
      'place_order',
      { ...order, type: 'LIMIT', quantity: '1', price: '1', timeInForce: 'GTC', isIsolated: 'TRUE', symbol: undefined },
      /symbol/,
    );
  });

  test('either-or identifiers', async () => {
    await refused('get_order', { symbol: 'BTCUSDT' }, /Either orderId or origClientOrderId/);
    await refused('cancel_order', { symbol: 'BTCUSDT' }, /Either orderId or origClientOrderId/);
    await refused('cancel_order_list', { symbol: 'BTCUSDT' }, /Either orderListId or listClientOrderId/);
    await refused('get_order_list', {}, /Either orderListId or origClientOrderId/);
  });

  test('order lists', async () => {
    const oco = { symbol: 'BTCUSDT', side: 'SELL', quantity: '1', price: '70000', stopPrice: '50000' };
    await refused('place_oco_order', { ...oco, stopLimitPrice: '49000' }, /stopLimitPrice needs stopLimitTimeInForce/);
    await refused('place_oco_order', { ...oco, price: '40000' }, /SELL OCO, price .* must be above stopPrice/);
    await refused(
      'place_oco_order',
      { ...oco, stopLimitPrice: '49000', stopLimitTimeInForce: 'IOC', stopIcebergQty: '0.1' },
      /stopIcebergQty needs stopLimitTimeInForce=GTC/,
    );
    const oto = {
      symbol: 'BTCUSDT',
      workingType: 'LIMIT',
      workingSide: 'BUY',
      workingPrice: '1',
      workingQuantity: '1',
      pendingType: 'LIMIT',
      pendingSide: 'SELL',
      pendingQuantity: '1',
    };
    await refused('place_oto_order', oto, /workingType=LIMIT needs workingTimeInForce/);
    await refused(
      'place_oto_order',
      { ...oto, workingTimeInForce: 'GTC' },
      /pendingType=LIMIT needs pendingTimeInForce, pendingPrice/,
    );
    const otoco = {
      symbol: 'BTCUSDT',
      workingType: 'LIMIT_MAKER',
      workingSide: 'BUY',
      workingPrice: '1',
      workingQuantity: '1',
      pendingSide: 'SELL',
      pendingQuantity: '1',
    };
    await refused(
      'place_otoco_order',
      {
        ...otoco,
        pendingAboveType: 'STOP_LOSS',
        pendingBelowType: 'STOP_LOSS',
        pendingAboveStopPrice: '2',
        pendingBelowStopPrice: '1',
      },
      /must be LIMIT_MAKER/,
    );
    await refused(
      'place_otoco_order',
      { ...otoco, pendingAboveType: 'LIMIT_MAKER' },
      /pendingAboveType=LIMIT_MAKER needs pendingAbovePrice/,
    );
  });

  test('documented limits, enums and types', async () => {
    await refused('get_cross_margin_account', { recvWindow: 60001 }, /recvWindow/);
    await refused('get_all_orders', { symbol: 'BTCUSDT', limit: 1001 }, /limit/);
    await refused('get_interest_history', { size: 101 }, /size/);
    await refused(
      'get_isolated_account',
      { symbols: ['AAAUSDT', 'BBBUSDT', 'CCCUSDT', 'DDDUSDT', 'EEEUSDT', 'FFFUSDT'] },
      /at most 5/,
    );
    await refused(
      'get_next_hourly_interest_rate',
      { assets: Array.from({ length: 21 }, (_, i) => `A${i}`), isIsolated: false },
      /at most 20/,
    );
    await refused('set_max_leverage', { maxLeverage: 4 }, /maxLeverage/);
    await refused('place_order', { ...order, type: 'MARKET', quantity: '-1' }, /quantity[\s\S]*greater than 0|decimal/);
    await refused('place_order', { ...order, type: 'MARKET', quantity: '1e' }, /decimal number/);
    await refused('place_order', { ...order, type: 'BUY_NOW', quantity: '1' }, /type/);
    await refused('get_order', { symbol: 'BTCUSDT', orderId: 1.5 }, /orderId/);
    await refused('get_price_index', { symbol: 'BTC-USDT' }, /symbol/);
  });

  test('unknown argument keys are refused, never dropped: a misspelled isIsolated is no cross order', async () => {
    await refused(
      'place_order',
      { ...order, type: 'MARKET', quantity: '1', isolated: 'TRUE' },
      /isolated|Unrecognized/i,
    );
    await refused('get_cross_margin_account', { timestamp: 1 }, /timestamp|Unrecognized/i);
    await refused('get_cross_margin_account', { signature: 'x' }, /signature|Unrecognized/i);
  });

  test('capital flow refuses more than 7 days between startTime and endTime', async () => {
    const day = 86_400_000;
    await refused('get_capital_flow', { startTime: 0, endTime: 7 * day + 1 }, /at most 7 days apart/);
    await refused('get_capital_flow', { startTime: 10, endTime: 5 }, /must not be after/);
    const ok = await server.call('get_capital_flow', { startTime: 0, endTime: 7 * day });
    assert.ok(!ok.isError);
  });

  test('decimals given as JSON numbers go out without exponent notation', async () => {
    const r = await server.call('place_order', {
      symbol: 'btcusdt',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: 1e-8,
      price: 1.5e21,
    });
    const pending = structured(r);
    assert.equal(pending.action.params.quantity, '0.00000001');
    assert.equal(pending.action.params.price, '1500000000000000000000');
    assert.equal(pending.action.params.symbol, 'BTCUSDT');
    const done = await server.call('confirm_action', { token: pending.token, confirmation: 'CONFIRM' });
    assert.ok(!done.isError);
    const req = standIn.wire.requestsTo('POST', '/sapi/v1/margin/order').at(-1)!;
    assert.match(req.rawQuery, /&quantity=0\.00000001&price=1500000000000000000000&/);
  });

  test('client order ids: generated, prefixed, kept, refused when too long', async () => {
    const base = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '1' };
    const gen = structured(await server.call('place_order', base));
    assert.match(gen.action.params.newClientOrderId, /^agent-[A-Za-z0-9]{18}$/);
    const given = structured(await server.call('place_order', { ...base, newClientOrderId: 'my-order-1' }));
    assert.equal(given.action.params.newClientOrderId, 'agent-my-order-1');
    const kept = structured(await server.call('place_order', { ...base, newClientOrderId: 'agent-my-order-2' }));
    assert.equal(kept.action.params.newClientOrderId, 'agent-my-order-2');
    const fits = structured(await server.call('place_order', { ...base, newClientOrderId: 'x'.repeat(30) }));
    assert.equal(fits.action.params.newClientOrderId.length, 36);
    const writes = () => standIn.wire.requests.filter((r) => r.method !== 'GET').length;
    const n = writes();
    const long = await server.call('place_order', { ...base, newClientOrderId: 'x'.repeat(31) });
    assert.equal(long.isError, true);
    assert.equal(errorOf(long).kind, 'validation');
    assert.match(errorOf(long).message, /newClientOrderId .*37 characters.* at most 36/);
    const oco = structured(
      await server.call('place_oco_order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '1',
        price: '3',
        stopPrice: '2',
        limitClientOrderId: 'tp',
      }),
    );
    assert.match(oco.action.params.listClientOrderId, /^agent-[A-Za-z0-9]{18}$/);
    assert.equal(oco.action.params.limitClientOrderId, 'agent-tp');
    assert.equal(writes(), n, 'only tokens so far: no write was sent (previews only read)');
    const ids = new Set(Array.from({ length: 1000 }, newClientOrderId));
    assert.equal(ids.size, 1000);
  });

  test('every tool that takes newClientOrderId generates one', () => {
    for (const e of CATALOG)
      if ('newClientOrderId' in paramsOf(e))
        assert.equal(e.clientOrderIds?.generate, 'newClientOrderId', endpointId(e));
  });
});

describe('the tool registry parses arguments synchronously, and asynchronously when a schema needs it', () => {
  const session = { canElicit: () => false, askUser: async () => null };
  const connection = { enabled: new Set(['always'] as const), enable: () => false };
  const run = async (registry: ToolRegistry, args: Record<string, unknown>) =>
    registry.call('t', args, { session, connection } as unknown as ToolCallContext);

  test('a schema with an async refinement is still applied (accepts and refuses)', async () => {
    const registry = new ToolRegistry();
    const schema = z
      .object({ n: z.number() })
      .refine(async (v) => v.n > 1, { message: 'n must be above 1', path: ['n'] });
    registry.registerTool('t', { inputSchema: schema }, (args) => ({
      content: [{ type: 'text', text: `ok ${args.n}` }],
    }));
    const ok = await run(registry, { n: 2 });
    assert.deepEqual((ok as { content: unknown }).content, [{ type: 'text', text: 'ok 2' }]);
    const refused = await run(registry, { n: 1 });
    assert.equal((refused as { isError?: boolean }).isError, true);
    assert.match(JSON.stringify(refused), /n must be above 1/);
  });

  /** A schema that counts its parses, and a tool that records the arguments it was given. */
  const counted = <S extends z.ZodType>(schema: S) => {
    const parses = { n: 0 };
    const inner = schema.safeParse.bind(schema);
    (schema as { safeParse: unknown }).safeParse = (v: unknown) => {
      parses.n++;
      return inner(v);
    };
    const seen: unknown[] = [];
    const registry = new ToolRegistry();
    registry.registerTool('t', { inputSchema: schema }, (args) => {
      seen.push(args);
      return { content: [{ type: 'text', text: JSON.stringify(args) }] };
    });
    return { registry, parses, seen };
  };

  test('a call without arguments is parsed once per tool, and each gets its own {}', async () => {
    const { registry, parses, seen } = counted(z.strictObject({ a: z.string().optional() }));
    for (const args of [{}, {}, { a: null }, {}]) assert.equal((await run(registry, args)).isError, undefined);
    assert.equal(parses.n, 1, 'the verdict on {} is kept');
    assert.deepEqual(seen, [{}, {}, {}, {}]);
    assert.notEqual(seen[0], seen[1], 'not one object shared between calls');
    await run(registry, { a: 'x' });
    assert.equal(parses.n, 2, 'arguments are parsed');
    assert.deepEqual(seen.at(-1), { a: 'x' });
  });

  test('a schema that refuses {} refuses every call without arguments, naming the parameter', async () => {
    const { registry, seen } = counted(z.strictObject({ n: z.number() }));
    for (let i = 0; i < 2; i++) {
      const refused = await run(registry, {});
      assert.equal((refused as { isError?: boolean }).isError, true);
      assert.equal((refused as { structuredContent: { error: { path?: string } } }).structuredContent.error.path, 'n');
    }
    assert.deepEqual(seen, []);
  });

  test('a schema that gives something for {} (a default) is parsed for every call', async () => {
    const { registry, parses, seen } = counted(z.strictObject({ n: z.number().default(5) }));
    await run(registry, {});
    await run(registry, {});
    assert.deepEqual(seen, [{ n: 5 }, { n: 5 }]);
    assert.equal(parses.n, 3, 'the first verdict was not kept: one look, then a parse per call');
  });

  test('a plain schema refuses a wrong type, naming the parameter', async () => {
    const registry = new ToolRegistry();
    registry.registerTool('t', { inputSchema: z.object({ n: z.number() }) }, () => ({ content: [] }));
    const refused = await run(registry, { n: 'x' });
    assert.equal((refused as { isError?: boolean }).isError, true);
    assert.equal((refused as { structuredContent: { error: { path?: string } } }).structuredContent.error.path, 'n');
  });
});
