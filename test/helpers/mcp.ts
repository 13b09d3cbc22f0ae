/**
 * Starts the real server (createServer, served as the bin serves stdio) with an MCP SDK
 * v1 client (a 2025-11-25 client) on an in-memory transport, a private state directory
 * and an accounts file of the test's choosing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  Client as ClientV2,
  InMemoryTransport as InMemoryTransportV2,
  type ClientOptions as ClientV2Options,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createServer, type ServerHandle } from '../../src/server.js';

export interface TestServer {
  client: Client;
  handle: ServerHandle;
  config: Config;
  dir: string;
  /** Every log line the server wrote. */
  logs: string[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

export interface StartOptions {
  toolsMd?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Makes the client declare elicitation and answer with this. */
  elicit?: (message: string) => Promise<ElicitResult> | ElicitResult;
  /** Files to create in the test directory (relative path → content). */
  files?: Record<string, string>;
  /** Makes the client declare that it renders MCP Apps (capabilities.extensions). */
  rendersApps?: boolean;
}

/** The server side of a test: createServer with a private state directory and accounts file; no client yet. */
async function startHandle(opts: StartOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'bmm-test-'));
  for (const [name, content] of Object.entries(opts.files ?? {}))
    writeFileSync(join(dir, name), content, { mode: 0o600 });
  const toolsMdPath = join(dir, 'TOOLS.md');
  if (opts.toolsMd !== undefined) writeFileSync(toolsMdPath, opts.toolsMd, { mode: 0o600 });
  const parsed = parseConfig(
    ['--tools-md', toolsMdPath, ...(opts.args ?? [])],
    {
      BINANCE_STATE_DIR: join(dir, 'state'),
      BINANCE_RECONCILE_MS: '1500',
      ...opts.env,
    },
    dir,
  );
  if (typeof parsed === 'string') throw new Error('unexpected help/version');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const log = createLogger('debug', sink);
  const handle = createServer(parsed, log);
  // Tests see what reached the sandbox: its request recorder (off in a user's server) is on from its start.
  const startSandbox = handle.hosts.sandboxInstance.bind(handle.hosts);
  handle.hosts.sandboxInstance = async () => {
    const sb = await startSandbox();
    sb.wire.recording = true;
    return sb;
  };
  return { handle, config: parsed, dir, logs };
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const { handle, config: parsed, dir, logs } = await startHandle(opts);
  const client = new Client(
    { name: 'test-client', version: '1.0.0' },
    {
      capabilities: {
        ...(opts.elicit ? { elicitation: {} } : {}),
        ...(opts.rendersApps
          ? { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } }
          : {}),
      },
    },
  );
  if (opts.elicit) {
    const answer = opts.elicit;
    client.setRequestHandler(ElicitRequestSchema, async (req) => answer(String(req.params.message)));
  }
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  handle.serve(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    handle,
    config: parsed,
    dir,
    logs,
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    async close() {
      await client.close().catch(() => undefined);
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const structured = (r: { structuredContent?: unknown }) => r.structuredContent as Record<string, any>;
export const errorOf = (r: { structuredContent?: unknown }) =>
  (
    r.structuredContent as {
      error: { kind: string; message: string; code?: number; hint?: string; clientOrderId?: string };
    }
  ).error;

/** A TOOLS.md with one account per entry. */
export function toolsMd(
  accounts: { name: string; fields: Record<string, string> }[],
  before = '# My notes\n\nSome text.\n\n',
  afterText = '\n## Other\n\nKeep me.\n',
): string {
  const blocks = accounts
    .map((a) => [`### ${a.name}`, ...Object.entries(a.fields).map(([k, v]) => `- ${k}: ${v}`)].join('\n'))
    .join('\n\n');
  return `${before}## Binance Accounts\n\n${blocks}\n${afterText}`;
}

export interface TestServerV2 extends Omit<TestServer, 'client'> {
  client: ClientV2;
}

/**
 * The same server driven by an MCP SDK v2 client, of either protocol generation:
 * `legacy` opens with initialize (2025-11-25), `modern` with server/discover
 * (2026-07-28, a per-request envelope, input_required rounds fulfilled through the
 * client's elicitation handler).
 */
export async function startServerV2(
  opts: StartOptions & { era: 'legacy' | 'modern'; clientOptions?: ClientV2Options },
): Promise<TestServerV2> {
  const { handle, config, dir, logs } = await startHandle(opts);
  const client = new ClientV2(
    { name: `test-client-v2-${opts.era}`, version: '1.0.0' },
    {
      ...(opts.era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {}),
      capabilities: opts.elicit ? { elicitation: {} } : {},
      ...opts.clientOptions,
    },
  );
  if (opts.elicit) {
    const answer = opts.elicit;
    client.setRequestHandler('elicitation/create', async (req) => answer(String(req.params.message)));
  }
  const [clientTransport, serverTransport] = InMemoryTransportV2.createLinkedPair();
  handle.serve(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    handle,
    config,
    dir,
    logs,
    call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    async close() {
      await client.close().catch(() => undefined);
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Calls a tool and asserts it was refused with a message matching `pattern`, before anything
 * was sent: no request reached the stand-in and no pending action was created.
 */
export async function assertRefusedBeforeSending(
  server: TestServer,
  standIn: { wire: { requests: readonly unknown[] } },
  tool: string,
  args: Record<string, unknown>,
  pattern: RegExp,
): Promise<void> {
  const sent = standIn.wire.requests.length;
  const pending = server.handle.gate.size;
  const r = await server.call(tool, args);
  assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)} should be refused`);
  assert.match((r.content as { text: string }[])[0].text, pattern);
  assert.equal(standIn.wire.requests.length, sent, 'nothing was sent');
  assert.equal(server.handle.gate.size, pending, 'no pending action was created');
}
