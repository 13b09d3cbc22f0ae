/**
 * The MCP Apps views in a real browser: headless Chromium renders each view inside a
 * minimal host page that speaks the Apps protocol (ext-apps' AppBridge), fed by a real
 * MCP server on the sandbox exchange. The test asserts that the numbers shown equal the
 * tool results, that Confirm redeems the pending action exactly once and Cancel sends
 * nothing, that the page made no network request, and takes screenshots (into a temp
 * dir, or SCREENSHOT_DIR: `npm run screenshots` writes docs/).
 *
 * Needs Debian's `chromium` (.ci/run installs it). Without it the suite is skipped with
 * a message — except under CI, where a missing browser fails.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { APP_CONFIRM_TOOL, CONFIRM_CARD_URI, MARGIN_VIEW_URI } from '../src/apps/meta.js';
import { AppHost } from './helpers/app-host.js';
import { Browser, findChromium } from './helpers/browser.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { startServer, structured, toolsMd, type TestServer } from './helpers/mcp.js';

const chromium = findChromium();
const skip =
  !chromium && !process.env.CI
    ? 'chromium is not installed (apt-get install -y chromium); the MCP Apps browser tests are skipped'
    : false;
if (skip) console.log(`# ${skip}`);

/** A string from a result that would run script if a view parsed it as markup. */
const HOSTILE = '<img src=x onerror="fetch(`http://127.0.0.1:9/pwned`)"><b>Sandbox demo</b>';

const shotsDir = process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'bmm-screens-'));
mkdirSync(shotsDir, { recursive: true });

describe('MCP Apps views in headless Chromium', { skip }, () => {
  let browser: Browser;
  let s: TestServer;
  let host: AppHost;

  before(async () => {
    if (!chromium)
      throw new Error(
        'CI is set and chromium is missing: .ci/run should have installed it (apt-get install -y chromium)',
      );
    s = await startServer({
      toolsMd: toolsMd([
        {
          name: 'main',
          fields: { 'API Key': randomApiKey(), Secret: randomSecret(), Environment: 'Sandbox', Description: HOSTILE },
        },
      ]),
      args: ['--confirm-all'],
      rendersApps: true, // the test host is an MCP Apps host
    });
    const sb = await s.handle.hosts.sandboxInstance();
    sb.exchange.setPrice('BTCUSDT', '50000');
    sb.exchange.setPrice('ETHUSDT', '2500');
    sb.exchange.setPrice('BNBUSDT', '500');
    // A margin account with debts and open orders: borrow USDT and ETH, rest two orders.
    await confirmed('borrow_or_repay', {
      asset: 'USDT',
      isIsolated: 'FALSE',
      symbol: 'BTCUSDT',
      amount: '4000',
      type: 'BORROW',
    });
    await confirmed('borrow_or_repay', {
      asset: 'ETH',
      isIsolated: 'FALSE',
      symbol: 'ETHUSDT',
      amount: '0.5',
      type: 'BORROW',
    });
    await confirmed('place_order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.02',
      price: '45000',
      timeInForce: 'GTC',
    });
    await confirmed('place_order', {
      symbol: 'ETHUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: '0.3',
      price: '3100',
      timeInForce: 'GTC',
    });
    // An isolated BTCUSDT account with collateral and a debt.
    await confirmed('enable_isolated_account', { symbol: 'BTCUSDT' });
    await confirmed('transfer_margin_collateral', {
      type: 'MARGIN_ISOLATEDMARGIN',
      asset: 'USDT',
      amount: '1000',
      toSymbol: 'BTCUSDT',
    });
    await confirmed('borrow_or_repay', {
      asset: 'USDT',
      isIsolated: 'TRUE',
      symbol: 'BTCUSDT',
      amount: '500',
      type: 'BORROW',
    });
    await confirmed('place_order', {
      symbol: 'BTCUSDT',
      isIsolated: 'TRUE',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '42000',
      timeInForce: 'GTC',
    });
    browser = await Browser.launch(chromium);
    host = new AppHost(browser, s);
    await host.install();
  });

  after(async () => {
    host?.close();
    await browser?.close();
    await s?.close();
  });

  async function confirmed(tool: string, args: Record<string, unknown>) {
    const r = structured(await s.call(tool, args));
    assert.equal(r.status, 'confirmation_required', JSON.stringify(r));
    const done = await s.call('confirm_action', { token: r.token, confirmation: 'CONFIRM' });
    assert.ok(!done.isError, JSON.stringify(done.structuredContent));
  }

  async function shoot(name: string) {
    writeFileSync(join(shotsDir, name), await browser.screenshot());
  }

  /** No request left the page: not the host, not the view (about:blank and about:srcdoc are no requests). */
  function assertNoNetwork() {
    const requests = browser.requests.filter((r) => !/^about:(blank|srcdoc)$/.test(r.url));
    assert.deepEqual(requests, [], `network requests: ${JSON.stringify(requests)}`);
    assert.deepEqual(
      browser.console.filter((c) => /Refused to|Content Security Policy/i.test(c)),
      [],
      'CSP violations',
    );
  }

  for (const theme of ['light', 'dark'] as const) {
    test(`margin view (${theme}): every number shown is the tool result's`, async () => {
      const input = {};
      const result = (await s.client.callTool({
        name: 'get_cross_margin_account',
        arguments: input,
      })) as CallToolResult;
      const callsBefore = host.calls.length;
      await host.open({ uri: MARGIN_VIEW_URI, tool: 'get_cross_margin_account', input, result, theme });
      await host.waitInView(
        `document.querySelector('[data-v="debts:totalUsdt"]') && document.querySelector('[data-v="orders:none"], ` +
          `[data-v^="order:"]')`,
        'the margin view',
      );
      const shown = await host.shown();
      const data = structured(result).data;
      assert.equal(shown['cross:marginLevel'], data.marginLevel);
      for (const k of ['totalAssetOfBtc', 'totalLiabilityOfBtc', 'totalNetAssetOfBtc'])
        assert.equal(shown[`cross:${k}`], data[k], k);
      const rows = (data.userAssets as Record<string, string>[]).filter((r) =>
        ['free', 'locked', 'borrowed', 'interest', 'netAsset'].some((k) => Number(r[k]) !== 0),
      );
      assert.ok(rows.length >= 3);
      for (const r of rows)
        for (const k of ['free', 'locked', 'borrowed', 'interest', 'netAsset'])
          assert.equal(shown[`asset:${r.asset}:${k}`], r[k], `${r.asset} ${k}`);
      // Thresholds, open orders and debts: what the view read through the host, checked against the server's answers.
      const bars = structured(await s.call('get_margin_level_thresholds')).data;
      for (const k of ['normalBar', 'marginCallBar', 'forceLiquidationBar'])
        assert.equal(shown[`bars:${k}`], bars[k], k);
      const orders = structured(await s.call('get_open_orders')).data as Record<string, unknown>[];
      assert.equal(orders.length, 2);
      for (const o of orders)
        for (const k of ['symbol', 'side', 'type', 'price', 'origQty', 'executedQty', 'status', 'clientOrderId'])
          assert.equal(shown[`order:${o.orderId}:${k}`], String(o[k]), `order ${o.orderId} ${k}`);
      for (const r of rows.filter((r) => Number(r.borrowed) > 0)) {
        assert.equal(shown[`debt:${r.asset}:borrowed`], r.borrowed);
        assert.equal(shown[`debt:${r.asset}:interest`], r.interest);
      }
      assert.equal(
        shown['debt:ETH:price'],
        String(structured(await s.call('get_price_index', { symbol: 'ETHUSDT' })).data.price),
      );
      // The debts are listed by value, largest first: 4,000 USDT before 0.5 ETH (1,250 USDT).
      const debtOrder = await host.inView<string[]>(
        `[...document.querySelectorAll('[data-v$=":asset"][data-v^="debt:"]')].map((e) => e.textContent)`,
      );
      assert.deepEqual(debtOrder.slice(0, 2), ['USDT', 'ETH']);
      // The view only read: each call it made is a read-only tool.
      const made = host.calls.slice(callsBefore).map((c) => c.name);
      assert.ok(made.length >= 3, made.join());
      for (const name of made) assert.match(name, /^get_/, name);
      // Themed as the host asked.
      assert.equal(await host.inView(`document.documentElement.getAttribute('data-theme')`), theme);
      const bg = await host.inView<string>(`getComputedStyle(document.body).backgroundColor`);
      assert.equal(bg, theme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
      await shoot(`margin-view-${theme}.png`);
      assertNoNetwork();
    });
  }

  test('margin view from list_accounts: the accounts, then the account', async () => {
    const result = (await s.client.callTool({ name: 'list_accounts', arguments: {} })) as CallToolResult;
    await host.open({ uri: MARGIN_VIEW_URI, tool: 'list_accounts', input: {}, result, theme: 'light' });
    await host.waitInView(`document.querySelector('[data-v="cross:marginLevel"]')`, 'the margin view');
    const shown = await host.shown();
    assert.equal(shown['accounts:main:environment'], 'Sandbox');
    // Text from a result stays text: shown as written, no element made from it, nothing fetched.
    assert.equal(shown['accounts:main:description'], HOSTILE);
    assert.equal(await host.inView(`document.querySelectorAll('img, b').length`), 0);
    assert.equal(shown['cross:marginLevel'], structured(await s.call('get_cross_margin_account')).data.marginLevel);
    assertNoNetwork();
  });

  test(
    'margin view from get_isolated_account: the pair, its level and both assets as the result ' + 'has them',
    async () => {
      const input = { symbols: 'BTCUSDT' };
      const result = (await s.client.callTool({ name: 'get_isolated_account', arguments: input })) as CallToolResult;
      await host.open({ uri: MARGIN_VIEW_URI, tool: 'get_isolated_account', input, result, theme: 'light' });
      await host.waitInView(
        `document.querySelector('[data-v="isolated:BTCUSDT:marginLevel"]') && ` +
          `document.querySelector('[data-v="cross:marginLevel"]')`,
        'the isolated pair',
      );
      const shown = await host.shown();
      const pair = (structured(result).data.assets as Record<string, any>[]).find((a) => a.symbol === 'BTCUSDT')!;
      assert.equal(shown['isolated:BTCUSDT:marginLevel'], pair.marginLevel);
      for (const side of [pair.baseAsset, pair.quoteAsset])
        for (const k of ['free', 'locked', 'borrowed', 'interest', 'netAsset'])
          assert.equal(shown[`isolated:BTCUSDT:${side.asset}:${k}`], side[k], `${side.asset} ${k}`);
      assert.equal(shown['isolated:BTCUSDT:USDT:borrowed'], pair.quoteAsset.borrowed);
      assert.ok(Number(pair.quoteAsset.borrowed) >= 500);
      const isolatedOrders = structured(await s.call('get_open_orders', { isIsolated: 'TRUE', symbol: 'BTCUSDT' }))
        .data as Record<string, unknown>[];
      assert.equal(isolatedOrders.length, 1);
      for (const k of ['symbol', 'side', 'price', 'origQty', 'status'])
        assert.equal(shown[`order:${isolatedOrders[0].orderId}:${k}`], String(isolatedOrders[0][k]), k);
      await shoot('margin-view-isolated-light.png');
      assertNoNetwork();
    },
  );

  test('without a theme from the host, the view follows the system preference', async () => {
    const result = (await s.client.callTool({ name: 'get_cross_margin_account', arguments: {} })) as CallToolResult;
    await host.open({
      uri: MARGIN_VIEW_URI,
      tool: 'get_cross_margin_account',
      input: {},
      result,
      theme: 'dark',
      hostTheme: false,
    });
    await host.waitInView(`document.querySelector('[data-v="cross:marginLevel"]')`, 'the margin view');
    assert.equal(await host.inView(`document.documentElement.getAttribute('data-theme')`), 'dark');
    assert.equal(await host.inView<string>(`getComputedStyle(document.body).backgroundColor`), 'rgb(13, 17, 23)');
    assertNoNetwork();
  });

  async function openCard(theme: 'light' | 'dark', args: Record<string, unknown>) {
    const result = (await s.client.callTool({ name: 'place_order', arguments: args })) as CallToolResult;
    const r = structured(result);
    assert.equal(r.status, 'confirmation_required');
    await host.open({ uri: CONFIRM_CARD_URI, tool: 'place_order', input: args, result, theme });
    await host.waitInView(`document.getElementById('confirm')`, 'the card');
    return r;
  }

  const buy = {
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: '0.05',
    price: '48000',
    timeInForce: 'GTC',
    sideEffectType: 'MARGIN_BUY',
  };

  test(
    'confirmation card: the frozen action, summary and preview as the result has them; Confirm redeems exactly ' +
      'once',
    async () => {
      const r = await openCard('light', buy);
      const shown = await host.shown();
      assert.equal(shown.summary, r.summary);
      assert.equal(shown['action:account'], r.action.account);
      assert.equal(shown['action:endpoint'], r.action.endpoint);
      for (const [k, v] of Object.entries(r.action.params as Record<string, unknown>))
        assert.equal(shown[`param:${k}`], String(v), k);
      const preview = r.preview as Record<string, unknown>;
      const keys = [
        'valueUsdt',
        'priceUsed',
        'marginLevel',
        'marginLevelAfter',
        'marginCallLevel',
        'liquidationLevel',
        'marginCallPrice',
        'liquidationPrice',
      ].filter((k) => preview[k] !== undefined);
      assert.ok(keys.length >= 5, keys.join());
      for (const k of keys) assert.equal(shown[`preview:${k}`], preview[k], k);
      const borrow = preview.borrow as Record<string, string>;
      assert.equal(shown['preview:borrow:amount'], borrow.amount);
      assert.equal(shown['preview:borrow:maxBorrowable'], borrow.maxBorrowable);
      await shoot('confirm-card-light.png');

      const ordersBefore = (structured(await s.call('get_open_orders')).data as unknown[]).length;
      const callsBefore = host.calls.length;
      // Two presses: the first disables the button, the second does nothing.
      await host.inView(
        `(document.getElementById('confirm').click(), document.getElementById('confirm').click(), true)`,
      );
      const outcome = await host.waitInView<string>(
        `document.querySelector('[data-v="outcome"]')?.textContent`,
        'the outcome',
      );
      assert.equal(outcome, 'Executed.');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const made = host.calls.slice(callsBefore);
      assert.deepEqual(
        made.map((c) => c.name),
        [APP_CONFIRM_TOOL],
      );
      assert.deepEqual(made[0].arguments, { token: r.token });
      const data = structured(made[0].result).data;
      assert.equal((await host.shown())['result:orderId'], String(data.orderId));
      assert.equal(data.clientOrderId, r.action.params.newClientOrderId);
      assert.equal((structured(await s.call('get_open_orders')).data as unknown[]).length, ordersBefore + 1);
      // The token is spent: the same press again, from anywhere, executes nothing.
      assert.ok((await s.call(APP_CONFIRM_TOOL, { token: r.token })).isError);
      assert.ok(
        await host.inView(`document.getElementById('confirm').disabled && document.getElementById('cancel').disabled`),
      );
      // The host was told what the user decided.
      assert.ok(
        (await host.log()).some((e) => e.kind === 'ui/update-model-context' && /pressed Confirm/.test(e.text ?? '')),
      );
      await shoot('confirm-card-done-light.png');
      assertNoNetwork();
    },
  );

  test('confirmation card (dark): Cancel sends nothing to Binance and drops the pending action', async () => {
    const r = await openCard('dark', { ...buy, price: '47000' });
    assert.equal(await host.inView(`document.documentElement.getAttribute('data-theme')`), 'dark');
    await shoot('confirm-card-dark.png');
    const ordersBefore = (structured(await s.call('get_open_orders')).data as unknown[]).length;
    const journalBefore = s.handle.journal.recent(200).length;
    const callsBefore = host.calls.length;
    await host.inView(`(document.getElementById('cancel').click(), true)`);
    const outcome = await host.waitInView<string>(
      `document.querySelector('[data-v="outcome"]')?.textContent`,
      'the outcome',
    );
    assert.equal(outcome, 'Cancelled. Nothing was sent.');
    assert.deepEqual(
      host.calls.slice(callsBefore).map((c) => c.name),
      ['cancel_pending_action'],
    );
    assert.equal((structured(await s.call('get_open_orders')).data as unknown[]).length, ordersBefore);
    assert.equal(s.handle.journal.recent(200).length, journalBefore, 'no intent, no result: nothing was sent');
    assert.ok(!s.handle.gate.list().some((p) => p.token === r.token));
    assert.ok(await host.inView(`document.getElementById('confirm').disabled`));
    assertNoNetwork();
  });

  test('the harness does see a request when one is made', async () => {
    // Positive control for assertNoNetwork: the same recorder, a request from the host page.
    const before = browser.requests.length;
    await browser.evaluate(`fetch('http://127.0.0.1:9/probe').catch(() => undefined)`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(
      browser.requests.slice(before).some((r) => r.url.startsWith('http://127.0.0.1:9/probe')),
      JSON.stringify(browser.requests.slice(before)),
    );
    browser.requests.length = before;
  });
});
