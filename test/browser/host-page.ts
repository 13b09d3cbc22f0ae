/**
 * A minimal MCP Apps host for the browser test: ext-apps' own AppBridge (the host side
 * of the protocol) talking over postMessage to a view in a sandboxed iframe, the way a
 * chat client renders a ui:// resource. Tool calls from the view go to the test process
 * through a DevTools binding (`hostCall`), which forwards them to a real MCP server and
 * answers with `__host.reply`. Everything the view asks of the host is logged.
 */
import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';

declare global {
  interface Window {
    hostCall(payload: string): void;
    __host: typeof host;
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
const pending = new Map<number, Pending>();
let nextId = 1;

const host = {
  log: [] as { kind: string; name?: string; arguments?: unknown; text?: string }[],
  initialized: false,
  bridge: undefined as AppBridge | undefined,
  async start(
    html: string,
    opts: {
      theme: 'light' | 'dark';
      hostTheme?: boolean;
      toolName: string;
      toolInput: Record<string, unknown>;
      toolResult: unknown;
      width?: number;
    },
  ) {
    document.body.replaceChildren();
    document.documentElement.style.colorScheme = opts.theme;
    document.body.style.margin = '0';
    document.body.style.background = opts.theme === 'dark' ? '#0d1117' : '#ffffff';
    const iframe = document.createElement('iframe');
    iframe.setAttribute('sandbox', 'allow-scripts');
    iframe.style.border = '0';
    iframe.style.width = `${opts.width ?? 760}px`;
    iframe.style.height = '400px';
    iframe.style.display = 'block';
    document.body.append(iframe);
    const hostContext: McpUiHostContext = {
      ...(opts.hostTheme === false ? {} : { theme: opts.theme }),
      platform: 'web',
      displayMode: 'inline',
      locale: 'en-US',
      toolInfo: { tool: { name: opts.toolName, inputSchema: { type: 'object' } } },
    };
    const bridge = new AppBridge(
      null,
      { name: 'binance-margin-mcp test host', version: '1.0.0' },
      { serverTools: {}, updateModelContext: { text: {} }, logging: {} },
      { hostContext },
    );
    this.bridge = bridge;
    bridge.oncalltool = async (params) => {
      this.log.push({ kind: 'tools/call', name: params.name, arguments: params.arguments });
      const id = nextId++;
      const result = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      window.hostCall(JSON.stringify({ id, name: params.name, arguments: params.arguments ?? {} }));
      return (await result) as never;
    };
    bridge.onupdatemodelcontext = async (params) => {
      this.log.push({
        kind: 'ui/update-model-context',
        text: JSON.stringify(params.content ?? params.structuredContent ?? {}),
      });
      return {};
    };
    bridge.onsizechange = ({ height }) => {
      if (height) iframe.style.height = `${Math.ceil(height)}px`;
    };
    bridge.onloggingmessage = (p) => this.log.push({ kind: 'log', text: JSON.stringify(p.data) });
    const initialized = new Promise<void>((resolve) => (bridge.oninitialized = () => resolve()));
    // Listening before the view loads: its ui/initialize is the first thing it sends.
    await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
    iframe.srcdoc = html;
    await initialized;
    this.initialized = true;
    await bridge.sendToolInput({ arguments: opts.toolInput });
    await bridge.sendToolResult(opts.toolResult as never);
  },
  reply(id: number, result: unknown, error?: string) {
    const p = pending.get(id);
    pending.delete(id);
    if (!p) return;
    if (error) p.reject(new Error(error));
    else p.resolve(result);
  },
  async setTheme(theme: 'light' | 'dark') {
    document.body.style.background = theme === 'dark' ? '#0d1117' : '#ffffff';
    await this.bridge?.sendHostContextChange({ theme });
  },
};
window.__host = host;
