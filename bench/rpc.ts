/**
 * A raw JSON-RPC 2.0 client over a child process's stdio (newline-delimited JSON, as
 * MCP's stdio transport frames it). No MCP SDK on the client side, so that what is
 * timed is the server, not the client library.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ServerSpec {
  /** Short label for tables. */
  label: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface RpcReply {
  result: any;
  /** Milliseconds from writing the request to reading its answer. */
  ms: number;
}

interface Pending {
  resolve: (r: RpcReply) => void;
  reject: (e: Error) => void;
  sent: number;
  timer: NodeJS.Timeout;
}

export const PROTOCOL_VERSION = '2025-06-18';

export class RpcChild {
  readonly child: ChildProcess;
  /** performance.now() just before spawn(). */
  readonly spawnedAt: number;
  private buf = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderrTail = '';
  private exitInfo: string | undefined;
  readonly exited: Promise<void>;

  constructor(readonly spec: ServerSpec) {
    this.spawnedAt = performance.now();
    this.child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    this.child.stdin!.on('error', () => undefined); // EPIPE after the child died: reported through 'exit'
    this.exited = new Promise((resolve) => {
      const done = (why: string) => {
        if (this.exitInfo === undefined) this.exitInfo = why;
        this.failAll(
          new Error(
            `${spec.label} exited (${this.exitInfo}); stderr: ${this.stderrTail.trim().slice(-600) || '(empty)'}`,
          ),
        );
        resolve();
      };
      this.child.once('error', (err) => done(`spawn error: ${err.message}`));
      this.child.once('exit', (code, signal) => done(signal ? `signal ${signal}` : `code ${code}`));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (!line) continue;
      let msg: any;
      try {
        msg = JSON.parse(line);
      } catch {
        continue; // not JSON-RPC (a stray log line on stdout); ignore
      }
      this.onMessage(msg);
    }
  }

  private onMessage(msg: any): void {
    const now = performance.now();
    if (msg.method !== undefined) {
      // A request from the server (ping, roots/list, …): answer so that it never waits on us.
      if (msg.id !== undefined) {
        const reply =
          msg.method === 'ping'
            ? { jsonrpc: '2.0', id: msg.id, result: {} }
            : { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'not supported by the bench client' } };
        this.write(reply);
      }
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error) p.reject(new Error(`JSON-RPC error ${msg.error.code}: ${msg.error.message}`));
    else p.resolve({ result: msg.result, ms: now - p.sent });
  }

  private write(msg: unknown): void {
    this.child.stdin!.write(`${JSON.stringify(msg)}\n`);
  }

  request(method: string, params: unknown = {}, timeoutMs = 30_000): Promise<RpcReply> {
    if (this.exitInfo !== undefined)
      return Promise.reject(
        new Error(`${this.spec.label} has exited (${this.exitInfo}); stderr: ${this.stderrTail.trim().slice(-600)}`),
      );
    const id = this.nextId++;
    return new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(
            `${this.spec.label}: ${method} got no answer in ${timeoutMs} ms; stderr: ` +
              `${this.stderrTail.trim().slice(-600) || '(empty)'}`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, sent: performance.now(), timer });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown = {}): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** initialize → notifications/initialized, as a client must. */
  async initialize(timeoutMs = 30_000): Promise<RpcReply> {
    const r = await this.request(
      'initialize',
      {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 'binance-margin-mcp-bench', version: '1.0.0' },
      },
      timeoutMs,
    );
    this.notify('notifications/initialized');
    return r;
  }

  /** tools/list, following nextCursor if a server pages. */
  async listTools(timeoutMs = 30_000): Promise<any[]> {
    const tools: any[] = [];
    let cursor: string | undefined;
    do {
      const r = await this.request('tools/list', cursor ? { cursor } : {}, timeoutMs);
      tools.push(...(r.result?.tools ?? []));
      cursor = r.result?.nextCursor;
    } while (cursor);
    return tools;
  }

  callTool(name: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<RpcReply> {
    return this.request('tools/call', { name, arguments: args }, timeoutMs);
  }

  /** Resident set size in kB (Linux /proc; ps elsewhere). */
  rssKb(): number | undefined {
    return rssKbOf(this.child.pid);
  }

  /** Closes stdin and waits for the exit; SIGTERM, then SIGKILL, if it lingers. */
  async close(graceMs = 2000): Promise<void> {
    if (this.exitInfo !== undefined) return;
    this.child.stdin!.end();
    const waited = (ms: number) =>
      Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    if (await waited(graceMs)) return;
    this.child.kill('SIGTERM');
    if (await waited(1000)) return;
    this.child.kill('SIGKILL');
    await waited(1000);
  }
}

export function rssKbOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    /* not Linux, or gone */
  }
  try {
    const kb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return Number.isFinite(kb) && kb > 0 ? kb : undefined;
  } catch {
    return undefined;
  }
}
