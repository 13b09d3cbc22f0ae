/**
 * What the executable runs (loaded by bin.ts): parse flags, serve MCP on stdio (both protocol generations: the
 * SDK's serveStdio picks per connection) or, with --http, over Streamable HTTP
 * (src/http/), log to stderr only, and shut down cleanly when stdin closes (stdio
 * only) or a signal arrives.
 */
import './zod-jitless.js';
import { TOOLSETS } from './catalog/types.js';
import { parseConfig, USAGE, UsageError } from './config.js';
import { createLogger, type Logger } from './log.js';
import { superviseHttpProcess, superviseStdioProcess } from './lifecycle.js';
import type { HttpServerHandle } from './http/server.js';
import { createServer, type ServerHandle } from './server.js';
import { VERSION } from './version.js';
import type { ToolListFile } from './tools/tool-list.js';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { OpeningRecorder } from './opening/recorder.js';
import type { Opening, Replayed } from './opening/replay.js';

/**
 * `toolListUrl`: the prebuilt tool list beside the entry (see tools/tool-list.ts). `opening`: what bin.ts
 * answered from the opening cache before this was loaded (src/opening/).
 */
export async function main(toolListUrl: URL, opening?: Opening): Promise<void> {
  // `setup` edits an MCP client's configuration and ends: it never starts the server.
  // (exitCode, not exit(): what it printed to a pipe is flushed first.)
  if (process.argv[2] === 'setup') {
    process.exitCode = await (await import('./setup/index.js')).runSetup(process.argv.slice(3), { ...process.env });
    return;
  }
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`binance-margin-mcp: ${err.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (config === 'help') {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  if (config === 'version') {
    process.stderr.write(`${VERSION}\n`);
    return;
  }

  const log = createLogger(config.logLevel);
  const handle = createServer(config, log, { toolList: prebuiltToolList(toolListUrl) });
  let http: HttpServerHandle | undefined;
  if (config.http) {
    // Loaded only in HTTP mode: stdio start-up compiles none of it.
    const { startHttpServer } = await import('./http/server.js');
    try {
      http = await startHttpServer(handle, config.http, config.stateDir, log);
    } catch (err) {
      process.stderr.write(
        `binance-margin-mcp: cannot serve HTTP on ${config.http.host}:${config.http.port}: ${(err as Error).message}\n`,
      );
      await handle.close(0).catch(() => undefined);
      process.exit((err as Error) instanceof UsageError ? 2 : 1);
    }
    superviseHttpProcess(handle, http, log);
    const t = http.tokens;
    if (http.oauth)
      log.info(
        {
          issuer: http.oauth.settings.issuer,
          resource: http.oauth.settings.resource,
          metadata: http.oauth.metadataUrl,
        },
        'OAuth resource server: JWT access tokens of this issuer, issued for this resource, are accepted',
      );
    log.info(
      { url: http.url, clients: t.names, tokens: t.sources },
      t.generatedFile
        ? `serving MCP over HTTP at ${http.url}; the bearer token is in ${t.generatedFile} ` +
            `(${(t as { created?: boolean }).created ? 'generated now' : 'kept from an earlier start'}): send it ` +
            `as Authorization: Bearer`
        : `serving MCP over HTTP at ${http.url}; clients authenticate with their bearer tokens`,
    );
  } else {
    const replayed = opening?.replayed;
    const input = inputAfter(replayed);
    const shutdown = superviseStdioProcess(handle, log, input);
    const wire = new StdioServerTransport(input, process.stdout);
    handle.serve(opening ? new OpeningRecorder(wire, opening, log) : wire, {
      // A line the transport cannot take (over its read limit, or not JSON-RPC) is logged, never a silent exit.
      onerror: (err) => {
        log.error({ err: err.message }, 'a message from the client could not be read');
        if (/exceed|too (large|long)|maximum/i.test(err.message)) void shutdown('a message over the read limit');
      },
    });
    if (replayed) {
      if (input === process.stdin) process.stdin.resume();
      log.info(
        { answered: replayed.answered.size },
        'the opening was answered from the opening cache while the server loaded; its answers are checked now',
      );
    }
  }
  const accounts = handle.accounts.list();
  log.info(
    {
      version: VERSION,
      accounts: accounts.map((a) => `${a.name} (${a.environment})`),
      readOnly: config.readOnly,
      toolsets: config.dynamicToolsets
        ? 'dynamic'
        : config.toolsets.length === TOOLSETS.length
          ? 'all'
          : config.toolsets,
      confirmVia: config.confirmVia,
    },
    handle.accounts.sandboxOnly
      ? config.forceSandbox
        ? 'started on the SANDBOX (--sandbox): simulated exchange, no real money'
        : 'started on the SANDBOX: no accounts file was found, so the simulated exchange is used (no real money); ' +
          'add accounts to TOOLS.md to trade on Binance'
      : 'started',
  );
  for (const p of handle.accounts.problems())
    log.warn(
      { account: p.account, field: p.field },
      `accounts file: ${p.message}${p.blocksWrites ? ' (writes of this account are refused until it is fixed)' : ''}`,
    );
  // Writes an earlier run left without an outcome: look them up by client id (never resent).
  // After the first messages are served: a long journal takes a while to read the first time.
  setImmediate(() => {
    if (handle.journal.unresolved().length) reconcileAtStart(handle, log);
  });
}

function reconcileAtStart(handle: ServerHandle, log: Logger): void {
  void handle.pipeline.reconcileUnresolved().then(
    (r) =>
      log.warn(
        {
          unresolved: r.length,
          executed: r.filter((x) => x.outcome === 'executed').length,
          notFound: r.filter((x) => x.outcome === 'not_found').length,
        },
        'writes of an earlier run without an outcome were looked up',
      ),
    (err) =>
      log.warn({ err: (err as Error).message }, 'reconciling earlier writes failed; reconcile_actions can try again'),
  );
}

/**
 * What the server reads: stdin, with what bin.ts read from it while answering the opening put back in front
 * (a stream of just those bytes when stdin had already ended).
 */
function inputAfter(replayed: Replayed | undefined): Readable {
  if (!replayed) return process.stdin;
  if (replayed.inputEnded) return Readable.from(replayed.input.length ? [replayed.input] : []);
  if (replayed.input.length) process.stdin.unshift(replayed.input);
  return process.stdin;
}

/** The tool list the build wrote beside the bundle, when there is one (see tools/tool-list.ts). */
function prebuiltToolList(url: URL): ToolListFile | undefined {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as ToolListFile;
  } catch {
    return undefined;
  }
}
