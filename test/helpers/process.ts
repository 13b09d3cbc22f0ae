/**
 * Drives the built server as a separate process over stdio, as an MCP client starts
 * it: raw JSON-RPC lines in, every stdout line collected, stderr kept for assertions.
 * Every child is ended and every scratch directory removed when the test file ends.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

/** The bundle package.json `bin` names (dist/binance-margin-mcp.js). */
export const BIN = fileURLToPath(new URL('../../binance-margin-mcp.js', import.meta.url));

const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
after(() => {
  // A failed test must not leave a server running (it would keep this file from ending):
  // closing stdin ends the server, also one started by scripts/start.mjs; then kill.
  for (const c of children)
    if (c.exitCode === null && c.signalCode === null) {
      c.stdin.destroy();
      c.kill();
    }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory with no TOOLS.md in it, used as cwd and state directory. */
export function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bmm-e2e-'));
  dirs.push(dir);
  return dir;
}

/** What a client passes a server (PATH, HOME, …; no BINANCE_* of the test's own environment) plus ours. */
export function serverEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...getDefaultEnvironment(), BINANCE_STATE_DIR: join(dir, 'state'), LOG_LEVEL: 'info', ...extra };
}

export interface Proc {
  child: ChildProcessWithoutNullStreams;
  stdoutLines: string[];
  stderr: () => string;
  /** Resolves with the first stdout message whose id is `id`. */
  response(id: number, timeoutMs?: number): Promise<Record<string, any>>;
  send(message: Record<string, unknown>): void;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<void>;
}

export function start(args: string[], opts: { cwd: string; env: Record<string, string> }): Proc {
  const child = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const stdoutLines: string[] = [];
  let stdoutRest = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdoutRest += chunk;
    const parts = stdoutRest.split('\n');
    stdoutRest = parts.pop()!;
    stdoutLines.push(...parts);
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    wake();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (stdoutRest) stdoutLines.push(stdoutRest);
      wake();
      resolve({ code, signal });
    }),
  );
  const until = <T>(probe: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr:\n${stderr}`)), timeoutMs);
      const check = () => {
        const v = probe();
        if (v !== undefined) {
          clearTimeout(timer);
          resolve(v);
        } else waiters.push(check);
      };
      check();
    });
  return {
    child,
    stdoutLines,
    stderr: () => stderr,
    send: (m) => child.stdin.write(`${JSON.stringify(m)}\n`),
    response: (id, timeoutMs = 15_000) =>
      until(
        () => stdoutLines.map((l) => JSON.parse(l) as Record<string, any>).find((m) => m.id === id),
        `the response to request ${id}`,
        timeoutMs,
      ),
    waitForStderr: (re, timeoutMs = 15_000) =>
      until(() => (re.test(stderr) ? true : undefined), String(re), timeoutMs).then(() => undefined),
    exit,
  };
}

export const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref(),
    ),
  ]);

export function initialize(p: Proc): Promise<Record<string, any>> {
  p.send({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'e2e-raw', version: '1.0.0' },
    },
  });
  return p.response(1).then((r) => {
    p.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return r;
  });
}
