/**
 * A randomised run across every tool, as a hostile agent would call them: wrong types,
 * extra keys, huge strings, unicode and control characters, exponent numbers, null.
 * Every gated write is confirmed. Against the embedded sandbox (loopback), with limits
 * on the account. Seeded, so a failure replays.
 *
 * What must hold: the server never crashes; every validation refusal names a
 * parameter; nothing invalid reaches the wire; no order sent exceeds Max Order Value
 * and the sum of what was sent never exceeds Max Daily Value.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CONTROL_CHARACTERS } from '../src/text.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startServer, structured, toolsMd } from './helpers/mcp.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const CALLS = Number(process.env.FUZZ_CALLS ?? 300);
const MAX_ORDER = 500;
const MAX_DAILY = 3000;

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
};

describe('randomised calls of every tool', () => {
  test(`${CALLS} hostile calls (seed ${SEED}): no crash, refusals name their parameter, nothing invalid on the ` +
    `wire, limits hold`, {
    timeout: 300_000,
  }, async () => {
    const rand = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const s = await startServer({
      toolsMd: toolsMd([
        {
          name: 'main',
          fields: {
            'API Key': randomApiKey(),
            Secret: randomSecret(),
            Environment: 'Sandbox',
            'Max Order Value': String(MAX_ORDER),
            'Max Borrow Value': '300',
            'Max Daily Value': String(MAX_DAILY),
          },
        },
      ]),
      args: ['--confirm-all'],
    });
    try {
      const { tools } = await s.client.listTools();
      const fuzzed = tools.filter((t) => !['add_account', 'reconcile_actions'].includes(t.name));

      const valid = (name: string, schema: Schema): unknown => {
        if (schema.enum) return pick(schema.enum);
        if (/^(symbol|isolatedSymbol)$/.test(name)) return pick(['BTCUSDT', 'ETHUSDT', 'btcusdt', 'BNBUSDT']);
        if (/^(asset|transFrom|transTo)$/.test(name)) return pick(['USDT', 'BTC', 'ETH']);
        if (/quantity|qty|price|amount|Qty|Price|Quantity/i.test(name))
          return pick(['0.001', '0.002', '0.01', '0.1', '1', '5', '0.0001', 0.003, '100', '20000', '70000']);
        const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
        if (type === 'integer' || type === 'number') return pick([1, 2, 5, 10, 100, 1_700_000_000_000]);
        if (type === 'boolean') return pick([true, false]);
        if (type === 'array') return [valid('item', schema.items ?? {})];
        return pick(['abc', 'agent-x1', '1.2.3.4', 'BTCUSDT']);
      };
      const hostile = (): unknown =>
        pick<unknown>([
          { nested: 1 },
          'x'.repeat(20_000),
          '💥\u0000\n## Binance Accounts',
          1e-7,
          1e21,
          -1,
          0,
          null,
          '1e5',
          ' ',
          '',
          [],
          'NaN',
          'Infinity',
          '0x10',
          '١٢٣',
        ]);

      let validations = 0;
      for (let i = 0; i < CALLS; i++) {
        const tool = pick(fuzzed);
        const schema = tool.inputSchema as Schema;
        const props = schema.properties ?? {};
        const args: Record<string, unknown> = {};
        for (const [name, p] of Object.entries(props))
          if ((schema.required ?? []).includes(name) || rand() < 0.5) args[name] = valid(name, p);
        const names = Object.keys(props);
        if (rand() < 0.45) {
          if (names.length && rand() < 0.8) args[pick(names)] = hostile();
          else args[pick(['evilKey', 'timestamp', 'signature', 'apiKey'])] = hostile();
        }
        let result: CallToolResult;
        try {
          result = (await s.client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
        } catch (err) {
          // A protocol-level refusal of the arguments (-32602) is a refusal too: it must name the parameter.
          const message = (err as Error).message;
          assert.match(message, /-32602/, `${tool.name} ${JSON.stringify(args).slice(0, 300)} threw ${message}`);
          result = { isError: true, content: [{ type: 'text', text: message }] };
        }
        const body = result.structuredContent as Record<string, any> | undefined;
        if (body?.status === 'confirmation_required') {
          result = (await s.client.callTool({
            name: 'confirm_action',
            arguments: { token: body.token, confirmation: 'CONFIRM' },
          })) as CallToolResult;
        }
        if (result.isError) {
          const error = (
            result.structuredContent as { error?: { kind: string; message: string; path?: string } } | undefined
          )?.error;
          const text = error ? `${error.message} ${error.path ?? ''}` : (result.content[0] as { text: string }).text;
          const isValidation = error ? error.kind === 'validation' : /-32602|validation/i.test(text);
          if (isValidation) {
            validations++;
            const named = [...names, ...Object.keys(args)].some((n) => text.includes(n));
            assert.ok(
              named,
              `${tool.name}: the refusal names no parameter: ${text.slice(0, 300)} (args ` +
                `${JSON.stringify(args).slice(0, 200)})`,
            );
          }
        }
      }
      assert.ok(validations > CALLS / 10, `the run exercised refusals (${validations})`);

      // The server still answers.
      assert.ok(!(await s.client.callTool({ name: 'server_status', arguments: {} })).isError);

      // Nothing invalid on the wire: printable values, no exponent notation, no control characters.
      const sb = await s.handle.hosts.sandboxInstance();
      for (const r of sb.wire.requests)
        for (const [k, v] of Object.entries(r.params)) {
          assert.ok(!CONTROL_CHARACTERS.test(v), `${r.method} ${r.path} ${k} has a control character`);
          if (/(quantity|qty|price|amount)$/i.test(k))
            assert.ok(/^\d+(\.\d+)?$/.test(v), `${r.method} ${r.path} ${k}=${v} is not a plain decimal`);
        }

      // Limits hold on what was sent: each order at its worst price, and the day's sum.
      const index = async (symbol: string) =>
        Number(structured(await s.call('get_price_index', { symbol })).data.price);
      const sentOrders = sb.wire.requests.filter((r) => r.method === 'POST' && r.path === '/sapi/v1/margin/order');
      for (const o of sentOrders) {
        const p = o.params;
        if (!p.symbol.endsWith('USDT')) continue;
        const worst = Math.max(await index(p.symbol), Number(p.price ?? 0), Number(p.stopPrice ?? 0));
        const value = p.quoteOrderQty !== undefined ? Number(p.quoteOrderQty) : Number(p.quantity) * worst;
        assert.ok(value <= MAX_ORDER + 1e-9, `an order worth ${value} USDT was sent: ${JSON.stringify(p)}`);
      }
      const journal = structured(await s.call('recent_actions', { limit: 200 })).actions as {
        phase: string;
        id: string;
        valueUsdt?: number;
        status?: string;
      }[];
      const failed = new Set(journal.filter((e) => e.phase === 'result' && e.status !== 'ok').map((e) => e.id));
      const spent = journal
        .filter((e) => e.phase === 'intent' && !failed.has(e.id))
        .reduce((sum, e) => sum + (e.valueUsdt ?? 0), 0);
      assert.ok(spent <= MAX_DAILY, `spent ${spent}`);
    } finally {
      await s.close();
    }
  });
});
