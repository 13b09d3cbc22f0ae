/**
 * Renders an MCP Apps view the way a host does, in headless Chromium: the minimal host
 * page (test/browser/host-page.ts, ext-apps' AppBridge) loads the view's HTML — read from
 * the real server as its ui:// resource — into a sandboxed iframe, sends it the tool's
 * input and result, and forwards every tool call the view makes to the real MCP server
 * (through a DevTools binding), logging each one.
 */
import { readFileSync } from 'node:fs';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Browser } from './browser.js';
import type { TestServer } from './mcp.js';

const HOST_SCRIPT = 'dist/test-browser/host.js';

export interface HostLogEntry {
  kind: string;
  name?: string;
  arguments?: Record<string, unknown>;
  text?: string;
}

export class AppHost {
  /** Every tool call the view made, in order, as the server received it. */
  readonly calls: { name: string; arguments: Record<string, unknown>; result: CallToolResult }[] = [];
  private unbind?: () => void;

  constructor(
    private readonly browser: Browser,
    private readonly server: TestServer,
  ) {}

  async install(): Promise<void> {
    const b = this.browser;
    await b.send('Runtime.addBinding', { name: 'hostCall' }, b.session);
    this.unbind = b.on('Runtime.bindingCalled', (p, sessionId) => {
      if (p.name !== 'hostCall' || sessionId !== b.session) return;
      const {
        id,
        name,
        arguments: args,
      } = JSON.parse(p.payload) as { id: number; name: string; arguments: Record<string, unknown> };
      void (async () => {
        let result: CallToolResult | undefined;
        let error: string | undefined;
        try {
          result = (await this.server.client.callTool({ name, arguments: args })) as CallToolResult;
          this.calls.push({ name, arguments: args, result });
        } catch (err) {
          error = (err as Error).message;
        }
        await b
          .evaluate(`window.__host.reply(${id}, ${JSON.stringify(result ?? null)}, ${JSON.stringify(error ?? null)})`)
          .catch(() => undefined);
      })();
    });
  }

  /**
   * Opens `uri` for a call of `tool`: loads a fresh host page, then the view, and waits until the view has connected.
   */
  /**
   * `hostTheme: false`: the host context carries no theme (the view falls back on prefers-color-scheme, emulated as
   * `theme`).
   */
  async open(opts: {
    uri: string;
    tool: string;
    input: Record<string, unknown>;
    result: CallToolResult;
    theme: 'light' | 'dark';
    hostTheme?: boolean;
    width?: number;
  }): Promise<void> {
    const b = this.browser;
    await b.send(
      'Emulation.setDeviceMetricsOverride',
      { width: (opts.width ?? 760) + 0, height: 900, deviceScaleFactor: 1, mobile: false },
      b.session,
    );
    await b.send(
      'Emulation.setEmulatedMedia',
      { features: [{ name: 'prefers-color-scheme', value: opts.theme }] },
      b.session,
    );
    const loaded = new Promise<void>((resolve) => {
      const off = b.on('Page.loadEventFired', () => {
        off();
        resolve();
      });
    });
    await b.send('Page.navigate', { url: 'about:blank' }, b.session);
    await loaded;
    await b.evaluate(readFileSync(HOST_SCRIPT, 'utf8'));
    const read = await this.server.client.readResource({ uri: opts.uri });
    const html = (read.contents[0] as { text: string }).text;
    await b.evaluate(
      `window.__host.start(${JSON.stringify(html)}, ` +
        `${JSON.stringify({ theme: opts.theme, hostTheme: opts.hostTheme ?? true, toolName: opts.tool, toolInput: opts.input, toolResult: opts.result, width: opts.width })})`,
    );
  }

  log(): Promise<HostLogEntry[]> {
    return this.browser.evaluate<HostLogEntry[]>('window.__host.log');
  }

  /** Evaluates in an isolated world of the view's frame (its DOM, not its scripts). */
  async inView<T>(expression: string): Promise<T> {
    const ctx = await this.browser.viewContext();
    return this.browser.evaluate<T>(expression, ctx);
  }

  /** Waits until `expression`, evaluated in the view, is truthy; returns its value. */
  async waitInView<T>(expression: string, what: string, timeoutMs = 15_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        last = await this.inView<T>(expression);
        if (last) return last as T;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > until)
        throw new Error(
          `timed out waiting for ${what} (last: ${JSON.stringify(last)}); console: ${this.browser.console.join(' | ')}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Every `[data-v]` element of the view: what it names → the text it shows. */
  shown(): Promise<Record<string, string>> {
    return this.inView(
      `Object.fromEntries([...document.querySelectorAll('[data-v]')].map((e) => [e.getAttribute('data-v'), ` +
        `e.textContent]))`,
    );
  }

  close(): void {
    this.unbind?.();
  }
}
