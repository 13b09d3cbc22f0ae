/**
 * --toolsets dynamic (also BINANCE_TOOLSETS=dynamic): the core tools plus
 * list_toolsets and enable_toolset; enabling a toolset adds its tools to the
 * connection and sends notifications/tools/list_changed, to a 2025 client directly
 * and to a 2026-07-28 client on its subscriptions/listen stream.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { CATALOG, TOOLSETS } from '../src/catalog/index.js';
import { parseConfig, type Config } from '../src/config.js';
import { errorOf, startServer, startServerV2, structured } from './helpers/mcp.js';

const ALWAYS = [
  'list_accounts',
  'show_account',
  'add_account',
  'confirm_action',
  'list_pending_actions',
  'cancel_pending_action',
  'server_status',
  'recent_actions',
  'reconcile_actions',
];
const of = (toolset: string) => CATALOG.filter((e) => e.toolset === toolset).map((e) => e.name);
const sorted = (names: string[]) => [...names].sort();

const until = async (probe: () => boolean, what: string, ms = 3000) => {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('dynamic toolsets', () => {
  test('the flag and the environment variable both select it; the default stays all', () => {
    const flag = parseConfig(['--toolsets', 'dynamic'], { BINANCE_STATE_DIR: '/tmp/x' }) as Config;
    const env = parseConfig([], { BINANCE_STATE_DIR: '/tmp/x', BINANCE_TOOLSETS: 'dynamic' }) as Config;
    const none = parseConfig([], { BINANCE_STATE_DIR: '/tmp/x' }) as Config;
    for (const c of [flag, env]) {
      assert.equal(c.dynamicToolsets, true);
      assert.deepEqual(c.toolsets, ['core']);
    }
    assert.equal(none.dynamicToolsets, false);
    assert.equal(none.toolsets.length, TOOLSETS.length);
  });

  test('2025 client: core plus the two toolset tools; enable_toolset adds a toolset and notifies', async () => {
    const s = await startServer({ args: ['--sandbox', '--toolsets', 'dynamic'] });
    let changed = 0;
    s.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    try {
      assert.equal(s.client.getServerCapabilities()?.tools?.listChanged, true);
      const first = (await s.client.listTools()).tools.map((t) => t.name);
      assert.deepEqual(sorted(first), sorted([...of('core'), ...ALWAYS, 'list_toolsets', 'enable_toolset']));

      // A tool of a toolset not enabled yet is refused, with the way to enable it.
      const early = await s.call('get_isolated_account', {});
      assert.equal(errorOf(early).kind, 'validation');
      assert.match(errorOf(early).hint ?? '', /enable_toolset.*isolated/);

      const listed = structured(await s.call('list_toolsets')).toolsets as {
        name: string;
        enabled: boolean;
        tools: string[];
      }[];
      assert.deepEqual(
        listed.filter((t) => t.enabled).map((t) => t.name),
        ['core'],
      );
      assert.deepEqual(listed.find((t) => t.name === 'isolated')?.tools, of('isolated'));

      const enabled = structured(await s.call('enable_toolset', { toolset: 'isolated' }));
      assert.deepEqual(enabled.tools, of('isolated'));
      assert.equal(enabled.alreadyEnabled, false);
      await until(() => changed === 1, 'notifications/tools/list_changed');
      const after = (await s.client.listTools()).tools.map((t) => t.name);
      assert.deepEqual(sorted(after), sorted([...first, ...of('isolated')]));
      const r = await s.call('get_isolated_account', {});
      assert.notEqual(r.isError, true, JSON.stringify(r.structuredContent));
      assert.equal(structured(r).environment, 'sandbox');
      assert.deepEqual(structured(await s.call('server_status')).mode.toolsets, {
        dynamic: true,
        enabled: ['core', 'isolated'],
      });

      // Enabling it again changes nothing and sends nothing.
      assert.equal(structured(await s.call('enable_toolset', { toolset: 'isolated' })).alreadyEnabled, true);
      assert.equal(errorOf(await s.call('enable_toolset', { toolset: 'nope' })).kind, 'validation');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(changed, 1);
    } finally {
      await s.close();
    }
  });

  test('2026-07-28 client: the list_changed notification reaches it and it re-lists', async () => {
    const seen: string[][] = [];
    const s = await startServerV2({
      era: 'modern',
      args: ['--sandbox', '--toolsets', 'dynamic'],
      clientOptions: {
        listChanged: {
          tools: { onChanged: (err, tools) => void (!err && tools && seen.push(tools.map((t) => t.name))) },
        },
      },
    });
    try {
      assert.equal(s.client.getNegotiatedProtocolVersion(), '2026-07-28');
      assert.equal((await s.client.listTools()).tools.length, of('core').length + ALWAYS.length + 2);
      await s.call('enable_toolset', { toolset: 'borrow' });
      await until(() => seen.length > 0, 'the client to re-list after list_changed');
      assert.ok(of('borrow').every((n) => seen.at(-1)!.includes(n)));
      const r = await s.call('get_cross_margin_fee_data', {});
      assert.notEqual(r.isError, true, JSON.stringify(r.structuredContent));
    } finally {
      await s.close();
    }
  });

  test('a connection enables toolsets for itself only', async () => {
    const s = await startServer({ args: ['--sandbox', '--toolsets', 'dynamic'] });
    // A second connection to the same server process.
    const other = new Client({ name: 'other', version: '1.0.0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    s.handle.serve(b);
    await other.connect(a);
    try {
      await s.call('enable_toolset', { toolset: 'market' });
      assert.ok((await s.client.listTools()).tools.some((t) => t.name === 'list_margin_assets'));
      assert.ok(!(await other.listTools()).tools.some((t) => t.name === 'list_margin_assets'));
      assert.equal((await other.callTool({ name: 'list_margin_assets', arguments: {} })).isError, true);
    } finally {
      await other.close();
      await s.close();
    }
  });
});
