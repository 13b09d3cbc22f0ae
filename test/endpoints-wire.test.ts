/**
 * Every endpoint tool against the stand-in, table-driven from the endpoint list of
 * the margin-trading skill (the four Binance added since, and the three of issue 16): method, path, each
 * parameter on the wire, signature, API key header, and Binance's body unchanged
 * under `data`. Writes go through the confirmation gate (a Mainnet account pointed
 * at loopback) and must send nothing before CONFIRM.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CATALOG, endpointId, paramsOf } from '../src/catalog/index.js';
import { inputSchemaOf } from '../src/tools/endpoint-tools.js';
import { ECHO_BODY, startStandIn, type StandIn } from './helpers/standin.js';
import { errorOf, startServer, structured, toolsMd, type TestServer } from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';

interface SpecParam {
  name: string;
  type: string;
  required: boolean;
  enum?: (string | number)[];
}
interface SpecEndpoint {
  method: string;
  path: string;
  security: string;
  signed: boolean;
  apiKeyHeader: boolean;
  write: boolean;
  gatedOnMainnet: boolean;
  params: SpecParam[];
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8'));
export const SKILL: SpecEndpoint[] = fixture('margin-endpoints.json');
export const ADDED: SpecEndpoint[] = fixture('margin-endpoints-current.json').endpoints;
/**
 * Issue 16, beyond the skill's list: the listen token (developers.binance.com margin_trading
 * trade-data-stream) and the wallet's universal transfer for the margin types
 * (binance-connector-js clients/wallet asset-api userUniversalTransfer / queryUserUniversalTransferHistory).
 */
export const BEYOND: SpecEndpoint[] = [
  {
    method: 'POST',
    path: '/sapi/v1/userListenToken',
    security: 'USER_STREAM',
    signed: false,
    apiKeyHeader: true,
    write: true,
    gatedOnMainnet: false,
    params: [
      { name: 'symbol', type: 'string', required: false },
      { name: 'isIsolated', type: 'boolean', required: false },
      { name: 'validity', type: 'integer', required: false },
    ],
  },
  {
    method: 'POST',
    path: '/sapi/v1/asset/transfer',
    security: 'USER_DATA',
    signed: true,
    apiKeyHeader: true,
    write: true,
    gatedOnMainnet: true,
    params: [
      {
        name: 'type',
        type: 'enum',
        required: true,
        enum: [
          'MAIN_MARGIN',
          'MARGIN_MAIN',
          'MARGIN_ISOLATEDMARGIN',
          'ISOLATEDMARGIN_MARGIN',
          'ISOLATEDMARGIN_ISOLATEDMARGIN',
        ],
      },
      { name: 'asset', type: 'string', required: true },
      { name: 'amount', type: 'decimal', required: true },
      { name: 'fromSymbol', type: 'string', required: false },
      { name: 'toSymbol', type: 'string', required: false },
      { name: 'recvWindow', type: 'integer', required: false },
    ],
  },
  {
    method: 'GET',
    path: '/sapi/v1/asset/transfer',
    security: 'USER_DATA',
    signed: true,
    apiKeyHeader: true,
    write: false,
    gatedOnMainnet: false,
    params: [
      {
        name: 'type',
        type: 'enum',
        required: true,
        enum: [
          'MAIN_MARGIN',
          'MARGIN_MAIN',
          'MARGIN_ISOLATEDMARGIN',
          'ISOLATEDMARGIN_MARGIN',
          'ISOLATEDMARGIN_ISOLATEDMARGIN',
        ],
      },
      { name: 'startTime', type: 'integer', required: false },
      { name: 'endTime', type: 'integer', required: false },
      { name: 'current', type: 'integer', required: false },
      { name: 'size', type: 'integer', required: false },
      { name: 'fromSymbol', type: 'string', required: false },
      { name: 'toSymbol', type: 'string', required: false },
      { name: 'recvWindow', type: 'integer', required: false },
    ],
  },
];
const ALL = [...SKILL, ...ADDED, ...BEYOND];

/** Arguments that satisfy each tool's cross-field rules; the rest is filled from the spec's types. */
const OVERRIDES: Record<string, Record<string, unknown>> = {
  'POST /sapi/v1/margin/order': {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    timeInForce: 'GTC',
    quantity: '0.001',
    price: '60000',
  },
  'POST /sapi/v1/margin/order/oco': {
    symbol: 'BTCUSDT',
    side: 'SELL',
    quantity: '0.001',
    price: '70000',
    stopPrice: '50000',
  },
  'POST /sapi/v1/margin/order/oto': {
    symbol: 'BTCUSDT',
    workingType: 'LIMIT',
    workingSide: 'BUY',
    workingPrice: '60000',
    workingQuantity: '0.002',
    workingIcebergQty: '0.001',
    workingTimeInForce: 'GTC',
    pendingType: 'LIMIT',
    pendingSide: 'SELL',
    pendingQuantity: '0.002',
    pendingPrice: '70000',
    pendingTimeInForce: 'GTC',
  },
  'POST /sapi/v1/margin/order/otoco': {
    symbol: 'BTCUSDT',
    workingType: 'LIMIT',
    workingSide: 'BUY',
    workingPrice: '60000',
    workingQuantity: '0.001',
    workingTimeInForce: 'GTC',
    pendingSide: 'SELL',
    pendingQuantity: '0.001',
    pendingAboveType: 'LIMIT_MAKER',
    pendingAbovePrice: '70000',
    pendingBelowType: 'STOP_LOSS',
    pendingBelowStopPrice: '50000',
  },
  'GET /sapi/v1/margin/order': { symbol: 'BTCUSDT', orderId: 12345 },
  'DELETE /sapi/v1/margin/order': { symbol: 'BTCUSDT', orderId: 12345 },
  'GET /sapi/v1/margin/orderList': { orderListId: 7 },
  'DELETE /sapi/v1/margin/orderList': { symbol: 'BTCUSDT', orderListId: 7 },
  'GET /sapi/v1/margin/myPreventedMatches': { symbol: 'BTCUSDT', preventedMatchId: 3 },
  'POST /sapi/v1/margin/max-leverage': { maxLeverage: 5 },
  'GET /sapi/v1/margin/next-hourly-interest-rate': { assets: ['BTC', 'USDT'], isIsolated: false },
  'GET /sapi/v1/margin/borrow-repay': { type: 'BORROW', startTime: 1_700_000_000_000 },
  'POST /sapi/v1/asset/transfer': { type: 'MAIN_MARGIN', asset: 'USDT', amount: '25' },
};

/** What the wire must carry for an argument (booleans and lists have Binance's spelling). */
const EXPECTED_WIRE: Record<string, Record<string, string>> = {
  'GET /sapi/v1/margin/next-hourly-interest-rate': { assets: 'BTC,USDT', isIsolated: 'FALSE' },
};

function sample(p: SpecParam): unknown {
  switch (p.type) {
    case 'decimal':
      return '0.001';
    case 'integer':
      return p.name === 'size' ? 10 : 1;
    case 'boolean':
      return true;
    case 'enum':
      return p.enum![0];
    case 'csv':
      return { assets: 'BTC', assetNames: 'BTC', ip: '1.2.3.4', symbols: 'BTCUSDT' }[p.name] ?? 'BTC';
    default:
      return (
        { symbol: 'BTCUSDT', asset: 'BTC', apiName: 'bot1', listenKey: 'lk0123456789', isolatedSymbol: 'BTCUSDT' }[
          p.name
        ] ?? 'X'
      );
  }
}

describe('the catalog matches the endpoint list', () => {
  test('68 endpoints: the 61 of the skill, the 4 added since and the 3 of issue 16, each once', () => {
    const ids = CATALOG.map(endpointId);
    assert.equal(new Set(ids).size, CATALOG.length);
    assert.deepEqual([...ids].sort(), ALL.map((e) => `${e.method} ${e.path}`).sort());
    assert.deepEqual(
      CATALOG.filter((e) => e.addedAfterSkill)
        .map(endpointId)
        .sort(),
      [...ADDED, ...BEYOND].map((e) => `${e.method} ${e.path}`).sort(),
    );
  });

  test('security, writes and every documented parameter agree', () => {
    // Binance's page marks workingIcebergQty mandatory, but an iceberg is optional by nature.
    // The skill's list marks borrow-repay's symbol mandatory; Binance's connector 13.0.0 made it
    // optional (read for isolated margin only), and so does the catalog (issue 16).
    const knowinglyOptional = new Set([
      'POST /sapi/v1/margin/order/oto workingIcebergQty',
      'POST /sapi/v1/margin/borrow-repay symbol',
    ]);
    for (const spec of ALL) {
      const id = `${spec.method} ${spec.path}`;
      const e = CATALOG.find((c) => endpointId(c) === id)!;
      assert.equal(e.security, spec.security, `${id} security`);
      assert.equal(e.write, spec.write, `${id} write`);
      assert.equal(e.write && !e.ungated, spec.gatedOnMainnet, `${id} gated`);
      for (const p of spec.params) {
        const schema = paramsOf(e)[p.name];
        assert.ok(schema, `${id} lacks parameter ${p.name}`);
        const optional = schema.safeParse(undefined).success;
        if (p.required && !knowinglyOptional.has(`${id} ${p.name}`))
          assert.equal(optional, false, `${id} ${p.name} should be required`);
        if (!p.required) assert.equal(optional, true, `${id} ${p.name} should be optional`);
      }
    }
  });
});

describe('every endpoint tool on the wire', () => {
  let standIn: StandIn;
  let server: TestServer;
  const apiKey = randomApiKey();
  const secret = randomSecret();

  before(async () => {
    standIn = await startStandIn(ALL.map((e) => ({ method: e.method, path: e.path, security: e.security as never })));
    standIn.wire.addKey({ apiKey, accountId: 'main', hmacSecret: secret });
    server = await startServer({
      toolsMd: toolsMd([
        { name: 'main', fields: { 'API Key': apiKey, Secret: secret, Environment: 'Mainnet', Signing: 'HMAC' } },
      ]),
      env: { BINANCE_MAINNET_BASE_URL: standIn.url },
    });
  });
  after(async () => {
    await server.close();
    await standIn.close();
  });

  for (const spec of ALL) {
    const id = `${spec.method} ${spec.path}`;
    test(id, async () => {
      const tool = CATALOG.find((c) => endpointId(c) === id)!;
      const args: Record<string, unknown> = { ...OVERRIDES[id] };
      if (!OVERRIDES[id]) for (const p of spec.params) if (p.required) args[p.name] = sample(p);
      const sentBefore = standIn.wire.requestsTo(spec.method, spec.path).length;

      let result = await server.call(tool.name, args);
      assert.ok(!result.isError, JSON.stringify(result.structuredContent));
      if (spec.gatedOnMainnet) {
        const pending = structured(result);
        assert.equal(pending.status, 'confirmation_required');
        assert.equal(pending.action.endpoint, id);
        assert.ok(pending.summary.includes('on main (Mainnet)'), pending.summary);
        assert.equal(
          standIn.wire.requestsTo(spec.method, spec.path).length,
          sentBefore,
          'nothing is sent before CONFIRM',
        );
        result = await server.call('confirm_action', { token: pending.token, confirmation: 'CONFIRM' });
        assert.ok(!result.isError, JSON.stringify(result.structuredContent));
      }
      const sent = standIn.wire.requestsTo(spec.method, spec.path);
      assert.equal(sent.length, sentBefore + 1, 'sent exactly once');
      const req = sent.at(-1)!;
      const body = structured(result);
      assert.deepEqual(body.data, ECHO_BODY(spec.method, spec.path), "Binance's body unchanged under data");
      assert.equal(body.endpoint, id);
      assert.equal(body.account, 'main');
      assert.equal(body.environment, 'mainnet');

      const expected = EXPECTED_WIRE[id] ?? {};
      for (const [name, value] of Object.entries(args))
        assert.equal(req.params[name], expected[name] ?? String(value), `${name} on the wire`);
      for (const idParam of ['newClientOrderId', 'listClientOrderId'])
        if (tool.clientOrderIds?.generate === idParam)
          assert.match(req.params[idParam] ?? '', /^agent-[A-Za-z0-9]{18}$/);

      assert.equal(req.headers['x-mbx-apikey'], spec.apiKeyHeader ? apiKey : undefined);
      const sig = /&signature=([0-9a-f]{64})$/.exec(req.rawQuery);
      if (spec.signed) {
        assert.ok(sig, `signed: ${req.rawQuery}`);
        const payload = req.rawQuery.slice(0, sig.index);
        assert.equal(sig[1], createHmac('sha256', secret).update(payload).digest('hex'));
        assert.match(payload, /(^|&)timestamp=\d{13}$/);
      } else {
        assert.equal(sig, null);
        assert.doesNotMatch(req.rawQuery, /timestamp=|signature=/);
      }
    });
  }

  test('tools/list has one tool per endpoint, tagged with its method and path', async () => {
    const { tools } = await server.client.listTools();
    const tags = tools.map((t) => t._meta?.['binance/endpoint']).filter(Boolean) as string[];
    assert.equal(new Set(tags).size, 68);
    assert.deepEqual([...tags].sort(), CATALOG.map(endpointId).sort());
    for (const t of tools) {
      assert.match(t.name, /^[a-z][a-z0-9_]{1,39}$/, t.name);
      const e = CATALOG.find((c) => c.name === t.name);
      if (!e) continue;
      assert.equal(t.annotations?.readOnlyHint, e.method === 'GET', `${t.name} readOnlyHint`);
      if (e.write) assert.equal(t.annotations?.destructiveHint, !!e.destructive, `${t.name} destructiveHint`);
      assert.notEqual(t.annotations?.openWorldHint, false, 'open world (the spec default)');
      // Strict where it is enforced: an unknown key is refused (the advertised schema leaves
      // additionalProperties out, see src/tools/json-schema.ts).
      assert.equal(inputSchemaOf(e).safeParse({ notAParameter: 1 }).success, false, `${t.name} is strict`);
    }
    for (const name of [
      'cancel_order',
      'cancel_all_open_orders',
      'cancel_order_list',
      'disable_isolated_account',
      'delete_special_key',
      'borrow_or_repay',
      'liquidate_margin_account',
      'exchange_small_liabilities',
      'close_user_stream',
      'repay_liquidation_loan',
    ])
      assert.equal(tools.find((t) => t.name === name)?.annotations?.destructiveHint, true, name);
  });

  test('leverageBracket: its retirement is said first and its error is explained', async () => {
    const { tools } = await server.client.listTools();
    assert.match(tools.find((t) => t.name === 'get_leverage_brackets')!.description!, /^RETIRED/);
    standIn.wire.inject({
      fault: { kind: 'binance', code: -1000, msg: 'This endpoint is no longer supported.' },
      match: (r) => r.path === '/sapi/v1/margin/leverageBracket',
    });
    const r = await server.call('get_leverage_brackets');
    assert.equal(r.isError, true);
    assert.match(errorOf(r).message, /retired/i);
    assert.equal(errorOf(r).code, -1000);
  });
});
