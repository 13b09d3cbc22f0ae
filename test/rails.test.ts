/**
 * Safety rails of docs/contract.md §9 against the sandbox: limits, kill switch, intent
 * journal, reconciliation of unanswered orders, previews, server_status, recent_actions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CATALOG } from '../src/catalog/index.js';
import { NON_ENDPOINT_TOOLS } from './helpers/tools.js';
import { errorOf, startServer, structured, toolsMd, type StartOptions, type TestServer } from './helpers/mcp.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';

const KEY = randomApiKey();
const SECRET = randomSecret();

function sandboxAccount(limits: Record<string, string> = {}) {
  return toolsMd([{ name: 'main', fields: { 'API Key': KEY, Secret: SECRET, Environment: 'Sandbox', ...limits } }]);
}

async function withServer(opts: StartOptions, fn: (s: TestServer) => Promise<void>) {
  const s = await startServer(opts);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** The server's sandbox, with its test recorder on (a user's server never records). */
const sandbox = async (s: TestServer) => {
  const sb = await s.handle.hosts.sandboxInstance();
  sb.wire.recording = true;
  return sb;
};
const market = (quantity: string, extra: Record<string, unknown> = {}) => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'MARKET',
  quantity,
  ...extra,
});

describe('limits', () => {
  test('each limit refuses before anything is sent and names itself, its value and the call’s', () =>
    withServer(
      {
        toolsMd: sandboxAccount({
          'Max Order Value': '500',
          'Max Borrow Value': '1000',
          'Allowed Symbols': 'BTCUSDT, ETHUSDT',
        }),
      },
      async (s) => {
        const sb = await sandbox(s);
        const before = sb.wire.requests.filter((r) => r.method !== 'GET').length;
        const order = await s.call('place_order', market('0.01')); // 600 USDT at 60000
        assert.equal(errorOf(order).kind, 'policy');
        assert.match(errorOf(order).message, /Max Order Value is 500 USDT; this order is worth 600 USDT \(at 60000/);
        const limit = await s.call('place_order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.008',
          price: '40000',
        });
        assert.ok(!limit.isError, 'an order worth 480 USDT at the index (60000) passes');
        const quote = await s.call('place_order', {
          symbol: 'ETHUSDT',
          side: 'BUY',
          type: 'MARKET',
          quoteOrderQty: '501',
        });
        assert.match(errorOf(quote).message, /worth 501 USDT/);
        const btcQuote = await s.call('place_order', {
          symbol: 'ETHBTC',
          side: 'BUY',
          type: 'MARKET',
          quantity: '0.1',
        });
        assert.match(errorOf(btcQuote).message, /Allowed Symbols \(BTCUSDT, ETHUSDT\).*ETHBTC/);
        const borrow = await s.call('borrow_or_repay', {
          asset: 'USDT',
          isIsolated: 'FALSE',
          symbol: 'BTCUSDT',
          amount: '1500',
          type: 'BORROW',
        });
        assert.match(errorOf(borrow).message, /Max Borrow Value is 1,000 USDT; this borrow is worth 1,500 USDT/);
        const bnb = await s.call('borrow_or_repay', {
          asset: 'BNB',
          isIsolated: 'FALSE',
          symbol: 'BNBUSDT',
          amount: '1',
          type: 'BORROW',
        });
        assert.match(errorOf(bnb).message, /allows borrowing only their assets/);
        const oco = await s.call('place_oco_order', {
          symbol: 'BTCUSDT',
          side: 'SELL',
          quantity: '0.01',
          price: '70000',
          stopPrice: '30000',
        });
        assert.match(errorOf(oco).message, /worth 700 USDT/, 'an order list is valued at its largest leg');
        const after = sb.wire.requests.filter((r) => r.method !== 'GET').length;
        assert.equal(after - before, 1, 'only the one allowed order was sent');
      },
    ));

  test('limits are checked again at confirmation: a price that rose in between is refused', () =>
    withServer({ toolsMd: sandboxAccount({ 'Max Order Value': '1000' }), args: ['--confirm-all'] }, async (s) => {
      const sb = await sandbox(s);
      const p = structured(await s.call('place_order', market('0.01')));
      assert.equal(p.status, 'confirmation_required');
      sb.exchange.setPrice('BTCUSDT', '120000');
      const r = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
      assert.equal(errorOf(r).kind, 'policy');
      assert.match(errorOf(r).message, /worth 1,200 USDT/);
      assert.equal(sb.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 0);
    }));

  test('the daily cap holds across a restart (the journal remembers)', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bmm-state-'));
    try {
      const opts = { toolsMd: sandboxAccount({ 'Max Daily Value': '1000' }), env: { BINANCE_STATE_DIR: stateDir } };
      await withServer(opts, async (s) => {
        assert.ok(!(await s.call('place_order', market('0.01'))).isError); // 600
      });
      await withServer(opts, async (s) => {
        const r = await s.call('place_order', market('0.01')); // +600 > 1000
        assert.equal(errorOf(r).kind, 'policy');
        assert.match(
          errorOf(r).message,
          /Max Daily Value is 1,000 USDT; 600 USDT were used in the last 24 h and this call adds 600 USDT/,
        );
        assert.ok(!(await s.call('place_order', market('0.005'))).isError, '300 more still fits');
      });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('kill switch', () => {
  test('stops an order at once, spares a cancel and a repay, and lifts without a restart', () =>
    withServer({ toolsMd: sandboxAccount() }, async (s) => {
      const kill = join(s.config.stateDir, 'KILL');
      writeFileSync(kill, '');
      const r = await s.call('place_order', market('0.001'));
      assert.equal(errorOf(r).kind, 'policy');
      assert.match(errorOf(r).message, /kill switch is on/);
      const borrow = await s.call('borrow_or_repay', {
        asset: 'USDT',
        isIsolated: 'FALSE',
        symbol: 'BTCUSDT',
        amount: '10',
        type: 'BORROW',
      });
      assert.equal(errorOf(borrow).kind, 'policy');
      const cancel = await s.call('cancel_order', { symbol: 'BTCUSDT', orderId: 1 });
      assert.notEqual(errorOf(cancel)?.kind, 'policy', 'a cancel reaches the exchange');
      const repay = await s.call('borrow_or_repay', {
        asset: 'USDT',
        isIsolated: 'FALSE',
        symbol: 'BTCUSDT',
        amount: '10',
        type: 'REPAY',
      });
      assert.notEqual(errorOf(repay)?.kind, 'policy');
      assert.match(structured(await s.call('server_status')).killSwitch, /^ON/);
      unlinkSync(kill);
      assert.ok(!(await s.call('place_order', market('0.001'))).isError);
      assert.equal(structured(await s.call('server_status')).killSwitch, 'off');
    }));
});

describe('journal', () => {
  test('intent before result for each executed write, mode 0600, no secret', () =>
    withServer({ toolsMd: sandboxAccount() }, async (s) => {
      await s.call('borrow_or_repay', {
        asset: 'USDT',
        isIsolated: 'FALSE',
        symbol: 'BTCUSDT',
        amount: '100',
        type: 'BORROW',
      });
      await s.call('place_order', market('0.001', { sideEffectType: 'MARGIN_BUY' }));
      // refused by validation
      await s.call('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1' });
      const dir = join(s.config.stateDir, 'journal');
      const [file] = readdirSync(dir);
      assert.match(file, /^\d{4}-\d{2}\.jsonl$/);
      assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);
      const text = readFileSync(join(dir, file), 'utf8');
      assert.ok(!text.includes(KEY) && !text.includes(SECRET) && !/signature/i.test(text));
      const lines = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const byId = new Map<string, string[]>();
      for (const l of lines) byId.set(l.id, [...(byId.get(l.id) ?? []), l.phase]);
      const executed = [...byId.values()].filter((phases) => phases.includes('result'));
      assert.equal(executed.length, 2);
      for (const phases of executed) assert.deepEqual(phases, ['intent', 'result']);
      assert.ok([...byId.values()].some((p) => p.join() === 'refused'));
      const order = lines.find((l) => l.tool === 'place_order' && l.phase === 'intent');
      assert.match(order.clientOrderId, /^agent-/);
      assert.equal(order.params.newClientOrderId, order.clientOrderId);
      assert.equal(order.confirmedVia, 'not-needed', 'a sandbox write needs no confirmation');
      for (const key of ['time', 'id', 'phase', 'account', 'environment', 'endpoint', 'params', 'summary'])
        assert.ok(key in order, key);
      const recent = structured(await s.call('recent_actions', { limit: 3 })).actions;
      assert.equal(recent.length, 3);
      assert.equal(recent[0].phase, 'refused', 'newest first');
    }));
});

describe('unknown outcomes', () => {
  test('a reset after Binance took the order ends reconciled, with exactly one order placed', () =>
    withServer({ toolsMd: sandboxAccount() }, async (s) => {
      const sb = await sandbox(s);
      sb.wire.inject({
        fault: { kind: 'reset' },
        afterExecute: true,
        match: (r) => r.method === 'POST' && r.path === '/sapi/v1/margin/order',
      });
      const r = await s.call('place_order', market('0.001', { newClientOrderId: 'recon-1' }));
      assert.ok(!r.isError, JSON.stringify(r.structuredContent));
      const body = structured(r);
      assert.equal(body.reconciled, true);
      assert.equal(body.data.clientOrderId, 'agent-recon-1');
      assert.equal(sb.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 1);
      const all = structured(await s.call('get_all_orders', { symbol: 'BTCUSDT' })).data;
      assert.equal(all.filter((o: { clientOrderId: string }) => o.clientOrderId === 'agent-recon-1').length, 1);
    }));

  test('a lost order ends in unknown_outcome naming the client id, placed once, never resent', () =>
    withServer({ toolsMd: sandboxAccount() }, async (s) => {
      const sb = await sandbox(s);
      sb.wire.inject({
        fault: { kind: 'reset' },
        match: (r) => r.method === 'POST' && r.path === '/sapi/v1/margin/order',
      });
      const r = await s.call('place_order', market('0.001', { newClientOrderId: 'lost-1' }));
      assert.equal(errorOf(r).kind, 'unknown_outcome');
      assert.equal(errorOf(r).clientOrderId, 'agent-lost-1');
      assert.match(errorOf(r).message, /agent-lost-1.*NOT resent/);
      assert.match(errorOf(r).hint!, /get_order with origClientOrderId=agent-lost-1/);
      assert.equal(sb.wire.requestsTo('POST', '/sapi/v1/margin/order').length, 1);
      const recent = structured(await s.call('recent_actions', { limit: 1 })).actions;
      assert.equal(recent[0].phase, 'unknown');
    }));

  test('an order list is looked up by its listClientOrderId', () =>
    withServer({ toolsMd: sandboxAccount() }, async (s) => {
      const sb = await sandbox(s);
      sb.wire.inject({
        fault: { kind: 'status', status: 502 },
        afterExecute: true,
        match: (r) => r.method === 'POST' && r.path === '/sapi/v1/margin/order/oco',
      });
      const r = await s.call('place_oco_order', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.001',
        price: '70000',
        stopPrice: '50000',
      });
      assert.ok(!r.isError, JSON.stringify(r.structuredContent));
      assert.equal(structured(r).reconciled, true);
      assert.match(structured(r).data.listClientOrderId, /^agent-/);
      assert.equal(sb.wire.requestsTo('POST', '/sapi/v1/margin/order/oco').length, 1);
    }));
});

describe('previews', () => {
  test('an order that borrows shows its value, the price, what it may borrow and the margin level', () =>
    withServer({ toolsMd: sandboxAccount(), args: ['--confirm-all'] }, async (s) => {
      // 30000 USDT, wallet holds less
      const p = structured(await s.call('place_order', market('0.5', { sideEffectType: 'MARGIN_BUY' })));
      assert.equal(p.preview.valueUsdt, '30000.00');
      assert.equal(p.preview.priceUsed, '60000.00000000');
      assert.equal(p.preview.borrow.asset, 'USDT');
      assert.ok(Number(p.preview.borrow.amount) > 0);
      assert.ok(Number(p.preview.borrow.maxBorrowable) > 0);
      assert.ok(p.preview.marginLevel);
      assert.match(p.summary, /≈ 30,000 USDT, may borrow up to [\d,.]+ USDT \(max borrowable [\d,.]+\)/);
      const b = structured(
        await s.call('borrow_or_repay', {
          asset: 'USDT',
          isIsolated: 'FALSE',
          symbol: 'BTCUSDT',
          amount: '100',
          type: 'BORROW',
        }),
      );
      assert.equal(b.preview.valueUsdt, '100.00');
      assert.ok(b.preview.maxBorrowable);
      assert.ok(b.preview.nextHourlyInterestRate);
      const lev = structured(await s.call('set_max_leverage', { maxLeverage: 5 }));
      assert.deepEqual(lev.preview.leverage, { current: 'unknown', requested: '5' });
    }));

  test('the limits and the preview share one price read per call', () =>
    withServer({ toolsMd: sandboxAccount({ 'Max Order Value': '100000' }), args: ['--confirm-all'] }, async (s) => {
      const sb = await sandbox(s);
      const p = structured(await s.call('place_order', market('0.01')));
      assert.equal(p.preview.valueUsdt, '600.00');
      assert.equal(sb.wire.requestsTo('GET', '/sapi/v1/margin/priceIndex').length, 1);
    }));

  test('a preview read that fails says so and the gate still works', () =>
    withServer({ toolsMd: sandboxAccount(), args: ['--confirm-all'] }, async (s) => {
      const sb = await sandbox(s);
      sb.wire.inject({
        fault: { kind: 'binance', code: -1000, msg: 'boom' },
        times: 10,
        match: (r) => r.method === 'GET' && r.path === '/sapi/v1/margin/account',
      });
      const p = structured(
        await s.call('borrow_or_repay', {
          asset: 'USDT',
          isIsolated: 'FALSE',
          symbol: 'BTCUSDT',
          amount: '100',
          type: 'BORROW',
        }),
      );
      assert.equal(p.status, 'confirmation_required');
      assert.ok(p.preview.unavailable.includes('marginLevel'));
      const done = await s.call('confirm_action', { token: p.token, confirmation: 'CONFIRM' });
      assert.ok(!done.isError);
    }));
});

describe('status and redaction', () => {
  test('server_status and recent_actions answer without keys', () =>
    withServer({ toolsMd: sandboxAccount({ 'Max Order Value': '500' }) }, async (s) => {
      await s.call('get_cross_margin_account');
      const st = structured(await s.call('server_status'));
      assert.equal(st.version, '1.0.0');
      assert.equal(st.mode.readOnly, false);
      assert.equal(st.mode.realMoney, false);
      assert.match(st.confirmation, /token/);
      assert.deepEqual(st.accounts, [
        { name: 'main', environment: 'Sandbox', signing: 'HMAC', limits: { maxOrderValueUsdt: 500 } },
      ]);
      assert.equal(st.hosts.length, 1);
      assert.ok(st.hosts[0].usedIpWeight1m >= 10);
      assert.equal(typeof st.hosts[0].clockOffsetMs, 'number');
      const all = JSON.stringify(st) + JSON.stringify(await s.call('recent_actions'));
      assert.ok(!all.includes(KEY) && !all.includes(SECRET));
    }));

  test('no tool but add_account takes a credential-shaped parameter', async () => {
    await withServer({ toolsMd: sandboxAccount() }, async (s) => {
      const { tools } = await s.client.listTools();
      const credential =
        /^(api[-_]?key|secret(key)?|private[-_]?key|passphrase|password|token|signature|credentials?(file)?)$/i;
      for (const t of tools) {
        if (t.name === 'add_account') continue;
        for (const name of Object.keys((t.inputSchema as { properties?: object }).properties ?? {})) {
          if (
            t.name === 'confirm_action' ||
            t.name === 'cancel_pending_action' ||
            t.name === 'confirm_pending_action_from_app'
          )
            if (name === 'token') continue;
          assert.doesNotMatch(name, credential, `${t.name}.${name}`);
        }
      }
      assert.equal(tools.length, CATALOG.length + NON_ENDPOINT_TOOLS.length);
    });
  });
});

describe('concurrent writes', () => {
  test('the daily cap holds when calls race: writes of one account go one at a time', () =>
    withServer({ toolsMd: sandboxAccount({ 'Max Daily Value': '1000' }) }, async (s) => {
      // 300 USDT each
      const results = await Promise.all(Array.from({ length: 4 }, () => s.call('place_order', market('0.005'))));
      const executed = results.filter((r) => !r.isError);
      const refused = results.filter((r) => r.isError);
      assert.equal(executed.length, 3, '3 × 300 fit under 1000');
      assert.equal(refused.length, 1);
      assert.equal(errorOf(refused[0]).kind, 'policy');
      assert.match(errorOf(refused[0]).message, /Max Daily Value/);
    }));
});
