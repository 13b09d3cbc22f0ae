/**
 * Our server over Streamable HTTP (--http), driven by a raw JSON-RPC client on an
 * undici keep-alive pool (no MCP SDK on the client side, as for stdio in rpc.ts): a
 * 2025 session (initialize, Mcp-Session-Id), each call one POST whose answer is read
 * from its SSE or JSON body.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Pool } from 'undici';
import type { ServerSpec } from './rpc.js';

export class HttpMcp {
  private nextId = 1;
  private sessionId = '';
  private constructor(
    private readonly child: ChildProcess,
    private readonly pool: Pool,
    private readonly url: URL,
    private readonly token: string,
  ) {}

  static async start(spec: ServerSpec, token: string): Promise<HttpMcp> {
    const child = spawn(spec.command, [...spec.args, '--http', '127.0.0.1:0'], {
      cwd: spec.cwd,
      env: { ...spec.env, BINANCE_MCP_TOKEN: token },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${spec.label} over HTTP did not start: ${stderr.slice(-600)}`)),
        15_000,
      );
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
        const m = /serving MCP over HTTP at (http:\/\/[^;\s]+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(new URL(m[1]));
        }
      });
      child.once('exit', (code) =>
        reject(new Error(`${spec.label} over HTTP exited (${code}): ${stderr.slice(-600)}`)),
      );
    });
    const c = new HttpMcp(
      child,
      new Pool(url.origin, { connections: 4, pipelining: 1, keepAliveTimeout: 30_000 }),
      url,
      token,
    );
    const init = await c.post({
      jsonrpc: '2.0',
      id: c.nextId++,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-http', version: '1' } },
    });
    c.sessionId = init.sessionId;
    await c.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return c;
  }

  private async post(message: Record<string, unknown>): Promise<{ reply: any; sessionId: string }> {
    const res = await this.pool.request({
      method: 'POST',
      path: this.url.pathname,
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(this.sessionId ? { 'mcp-session-id': this.sessionId, 'mcp-protocol-version': '2025-06-18' } : {}),
      },
      body: JSON.stringify(message),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
    const data = text.startsWith('{')
      ? text
      : text
          .split('\n')
          .find((l) => l.startsWith('data: '))
          ?.slice(6);
    return { reply: data ? JSON.parse(data) : undefined, sessionId: String(res.headers['mcp-session-id'] ?? '') };
  }

  /** Calls a tool; resolves with its latency in ms. A tool error is an error here. */
  async callTool(name: string, args: Record<string, unknown> = {}): Promise<number> {
    const t = performance.now();
    const { reply } = await this.post({
      jsonrpc: '2.0',
      id: this.nextId++,
      method: 'tools/call',
      params: { name, arguments: args },
    });
    const ms = performance.now() - t;
    if (reply?.error || reply?.result?.isError) throw new Error(`${name}: ${JSON.stringify(reply).slice(0, 300)}`);
    return ms;
  }

  async close(): Promise<void> {
    await this.pool.close();
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
