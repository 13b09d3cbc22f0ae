/**
 * MCP Apps, without a browser: the built views (one self-contained HTML file each, under
 * 300 KB, a CSP that allows their own inline script and style and nothing else), the
 * ui:// resources and view links the server declares, and the app-only Confirm tool,
 * which redeems the same single-use pending action through the same enforcement point
 * as confirm_action. The views themselves run in test/apps-browser.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EXTENSION_ID, RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from '@modelcontextprotocol/ext-apps/server';
import {
  APP_CONFIRM_TOOL,
  APP_MIME_TYPE,
  CONFIRM_CARD_URI,
  LEGACY_RESOURCE_URI_KEY,
  MARGIN_VIEW_TOOLS,
  MARGIN_VIEW_URI,
  MCP_APPS_EXTENSION,
} from '../src/apps/meta.js';
import { CATALOG, findEndpoint, isGated } from '../src/catalog/index.js';
import { VIEW_READS } from '../src/catalog/view-reads.js';
import { randomApiKey, randomSecret } from './helpers/keys.js';
import { errorOf, startServer, startServerV2, structured, toolsMd, type TestServer } from './helpers/mcp.js';

const VIEW_FILES = ['margin-view', 'confirm-card'].map((n) => join('dist', 'apps', `${n}.html`));

describe('the built views', () => {
  for (const file of VIEW_FILES) {
    const html = readFileSync(file, 'utf8');
    test(`${file}: one self-contained file under 300 KB`, () => {
      const bytes = Buffer.byteLength(html);
      assert.ok(bytes < 300 * 1024, `${bytes} bytes`);
      // Nothing is loaded from anywhere: no external script, style, image, frame or font.
      const markup = html
        .replace(/<script>[\s\S]*?<\/script>/g, '<script></script>')
        .replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
      assert.doesNotMatch(markup, /\b(src|href|srcset|action|poster|data)\s*=/i, 'an attribute that loads something');
      assert.doesNotMatch(markup, /<(link|iframe|object|embed|img|base)\b/i);
      // No inline event handler anywhere in the markup.
      assert.doesNotMatch(markup, /\son[a-z]+\s*=/i);
      assert.equal((html.match(/<script\b/g) ?? []).length, 1);
    });

    test(`${file}: its CSP allows its own script and style by hash, and no network, eval or inline handler`, () => {
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
      assert.ok(csp, 'a CSP meta tag');
      const directives = Object.fromEntries(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([k, ...v]) => [k, v]),
      );
      assert.deepEqual(directives['default-src'], ["'none'"]);
      assert.deepEqual(directives['connect-src'], ["'none'"]);
      assert.deepEqual(directives['base-uri'], ["'none'"]);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
      const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
      const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
      assert.deepEqual(directives['script-src'], [hash(script)]);
      assert.deepEqual(directives['style-src'], [hash(style)]);
    });
  }

  test('the views never parse markup from data, never eval', () => {
    const dir = join('src', 'apps', 'views');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      assert.doesNotMatch(
        src,
        /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*['"](style|on)/,
        f,
      );
    }
  });

  test('every tool a view reads through the host is a read endpoint', () => {
    for (const [role, tool] of Object.entries(VIEW_READS))
      assert.equal(findEndpoint(tool)?.write, false, `${role}: ${tool}`);
  });

  test('the constants are the ones ext-apps defines', () => {
    assert.equal(APP_MIME_TYPE, RESOURCE_MIME_TYPE);
    assert.equal(LEGACY_RESOURCE_URI_KEY, RESOURCE_URI_META_KEY);
    assert.equal(MCP_APPS_EXTENSION, EXTENSION_ID);
  });

  test('view sizes (written to the test log)', () => {
    for (const file of VIEW_FILES) console.log(`# ${file}: ${Buffer.byteLength(readFileSync(file))} bytes`);
  });
});

const sandboxAccount = () =>
  toolsMd([{ name: 'main', fields: { 'API Key': randomApiKey(), Secret: randomSecret(), Environment: 'Sandbox' } }]);

async function withApps(fn: (s: TestServer) => Promise<void>, args = ['--confirm-all'], rendersApps = true) {
  const s = await startServer({ toolsMd: sandboxAccount(), args, rendersApps });
  try {
    const sb = await s.handle.hosts.sandboxInstance();
    sb.exchange.setPrice('BTCUSDT', '50000');
    await fn(s);
  } finally {
    await s.close();
  }
}

const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '40000', timeInForce: 'GTC' };

describe('the server side of MCP Apps', () => {
  test('two ui:// resources, text/html;profile=mcp-app, with their CSP metadata; the HTML is the built file', () =>
    withApps(async (s) => {
      const { resources } = await s.client.listResources();
      const byUri = new Map(resources.map((r) => [r.uri, r]));
      for (const [uri, file] of [
        [MARGIN_VIEW_URI, VIEW_FILES[0]],
        [CONFIRM_CARD_URI, VIEW_FILES[1]],
      ] as const) {
        assert.equal(byUri.get(uri)?.mimeType, RESOURCE_MIME_TYPE, uri);
        const read = await s.client.readResource({ uri });
        const c = read.contents[0] as {
          uri: string;
          mimeType: string;
          text: string;
          _meta: { ui: { csp: Record<string, string[]> } };
        };
        assert.equal(c.mimeType, RESOURCE_MIME_TYPE);
        assert.equal(c.text, readFileSync(file, 'utf8'));
        assert.deepEqual(c._meta.ui.csp.connectDomains, []);
        assert.deepEqual(c._meta.ui.csp.resourceDomains, []);
      }
    }));

  test('the account tools link the margin view, every gated write the card; the Confirm tool is app-only', () =>
    withApps(async (s) => {
      const { tools } = await s.client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      for (const name of MARGIN_VIEW_TOOLS) {
        const meta = byName.get(name)?._meta as Record<string, any>;
        assert.equal(meta?.ui?.resourceUri, MARGIN_VIEW_URI, name);
        assert.equal(meta?.[RESOURCE_URI_META_KEY], undefined, `${name}: only the current key`);
      }
      const gated = CATALOG.filter(isGated);
      assert.ok(gated.length > 10, `${gated.length} gated writes`);
      for (const e of gated)
        assert.equal((byName.get(e.name)?._meta as Record<string, any>)?.ui?.resourceUri, CONFIRM_CARD_URI, e.name);
      for (const e of CATALOG.filter((e) => !isGated(e) && !MARGIN_VIEW_TOOLS.includes(e.name)))
        assert.equal((byName.get(e.name)?._meta as Record<string, any>)?.ui, undefined, e.name);
      // The endpoint tag stays beside the link.
      assert.equal(
        (byName.get('place_order')?._meta as Record<string, any> | undefined)?.['binance/endpoint'],
        'POST /sapi/v1/margin/order',
      );
      assert.deepEqual((byName.get(APP_CONFIRM_TOOL)?._meta as Record<string, any>)?.ui?.visibility, ['app']);
    }));

  test('a confirmation_required result names the card', () =>
    withApps(async (s) => {
      const r = await s.call('place_order', order);
      assert.equal(structured(r).status, 'confirmation_required');
      assert.equal((r._meta as Record<string, any>)?.ui?.resourceUri, CONFIRM_CARD_URI);
    }));

  test('Confirm redeems the pending action once, through the enforcement point, journaled like confirm_action', () =>
    withApps(async (s) => {
      const pending = structured(await s.call('place_order', order));
      const done = await s.call(APP_CONFIRM_TOOL, { token: pending.token });
      assert.ok(!done.isError, JSON.stringify(done.structuredContent));
      assert.equal(structured(done).data.status, 'NEW');
      assert.equal(structured(done).data.clientOrderId, pending.action.params.newClientOrderId);
      // Once: the token is used up, for the card and for confirm_action alike.
      assert.match(
        errorOf(await s.call(APP_CONFIRM_TOOL, { token: pending.token })).message,
        /Unknown, used or expired/,
      );
      assert.match(
        errorOf(await s.call('confirm_action', { token: pending.token, confirmation: 'CONFIRM' })).message,
        /Unknown, used or expired/,
      );
      const open = structured(await s.call('get_open_orders', { symbol: 'BTCUSDT' })).data as unknown[];
      assert.equal(open.length, 1);
      const phases = s.handle.journal
        .recent(10)
        .filter((e) => e.id === s.handle.journal.recent(10)[0].id)
        .map((e) => e.phase);
      assert.deepEqual(phases.sort(), ['intent', 'pending', 'result'].sort());
      const intent = s.handle.journal.recent(10).find((e) => e.phase === 'intent');
      assert.equal(intent?.confirmedVia, 'app', 'the journal says the card confirmed it');
    }));

  test('the card cannot confirm without the token the result gave it', () =>
    withApps(async (s) => {
      await s.call('place_order', order);
      assert.match(
        errorOf(await s.call(APP_CONFIRM_TOOL, { token: 'pa_guessed' })).message,
        /Unknown, used or expired/,
      );
      assert.ok((await s.call(APP_CONFIRM_TOOL, {})).isError);
      assert.equal((structured(await s.call('get_open_orders', { symbol: 'BTCUSDT' })).data as unknown[]).length, 0);
    }));

  test('the kill switch and the limits hold on the card path too', () =>
    withApps(async (s) => {
      const pending = structured(await s.call('place_order', order));
      writeFileSync(join(s.config.stateDir, 'KILL'), '');
      const r = await s.call(APP_CONFIRM_TOOL, { token: pending.token });
      assert.equal(errorOf(r).kind, 'policy');
      assert.equal((structured(await s.call('get_open_orders', { symbol: 'BTCUSDT' })).data as unknown[]).length, 0);
    }));

  test(
    'a client that renders no MCP Apps has no card: the Confirm tool is not listed, refuses if called, and the ' +
      'token stays for confirm_action',
    () =>
      withApps(
        async (s) => {
          const { tools } = await s.client.listTools();
          assert.ok(!tools.some((t) => t.name === APP_CONFIRM_TOOL), 'no model is offered the app-only tool');
          const pending = structured(await s.call('place_order', order));
          const r = await s.call(APP_CONFIRM_TOOL, { token: pending.token });
          assert.equal(errorOf(r).kind, 'confirmation');
          assert.match(errorOf(r).message, /renders no MCP Apps; nothing was executed/);
          assert.equal(
            (structured(await s.call('get_open_orders', { symbol: 'BTCUSDT' })).data as unknown[]).length,
            0,
          );
          assert.ok(!(await s.call('confirm_action', { token: pending.token, confirmation: 'CONFIRM' })).isError);
        },
        ['--confirm-all'],
        false,
      ),
  );

  for (const declared of [true, false])
    test(
      `2026-07-28 client (capabilities per request) ` +
        `${declared ? 'that renders apps: Confirm executes' : 'that renders none: Confirm refuses'}`,
      async () => {
        const s = await startServerV2({
          toolsMd: sandboxAccount(),
          args: ['--confirm-all', '--confirm-via', 'token'],
          era: 'modern',
          clientOptions: {
            capabilities: declared ? { extensions: { [MCP_APPS_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } } } : {},
          },
        });
        try {
          const listed = (await s.client.listTools()).tools.map((t) => t.name);
          assert.equal(listed.includes(APP_CONFIRM_TOOL), declared, 'listed only to a client that renders apps');
          (await s.handle.hosts.sandboxInstance()).exchange.setPrice('BTCUSDT', '50000');
          const pending = structured((await s.client.callTool({ name: 'place_order', arguments: order })) as never);
          assert.equal(pending.status, 'confirmation_required');
          const r = (await s.client.callTool({ name: APP_CONFIRM_TOOL, arguments: { token: pending.token } })) as {
            isError?: boolean;
            structuredContent?: Record<string, any>;
          };
          assert.equal(!!r.isError, !declared, JSON.stringify(r.structuredContent));
        } finally {
          await s.close();
        }
      },
    );

  test('read-only: no Confirm tool', () =>
    withApps(
      async (s) => {
        const { tools } = await s.client.listTools();
        assert.ok(!tools.some((t) => t.name === APP_CONFIRM_TOOL));
      },
      ['--read-only'],
    ));
});
