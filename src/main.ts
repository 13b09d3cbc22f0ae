/**
 * What the executable runs (loaded by bin.ts): parse flags, serve MCP on stdio (both
 * protocol generations: the SDK's serveStdio picks per connection), log to stderr
 * only, and shut down cleanly when stdin closes or a signal arrives.
 */
import './zod-jitless.js';
import { TOOLSETS } from './catalog/types.js';
import { parseConfig, USAGE, UsageError } from './config.js';
import { createLogger } from './log.js';
import { superviseStdioProcess } from './lifecycle.js';
import { createServer } from './server.js';
import { VERSION } from './version.js';
import type { ToolListFile } from './tools/tool-list.js';
import { readFileSync } from 'node:fs';

/** `toolListUrl`: the prebuilt tool list beside the entry (see tools/tool-list.ts). */
export async function main(toolListUrl: URL): Promise<void> {
  // `setup` edits an MCP client's configuration and ends: it never starts the server.
  // (exitCode, not exit(): what it printed to a pipe is flushed first.)
  if (process.argv[2] === 'setup') {
    process.exitCode = await (await import('./setup/index.js')).runSetup(process.argv.slice(3), { ...process.env });
    return;
  }
  let config;
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
  const shutdown = superviseStdioProcess(handle, log);
  handle.serve(undefined, {
    // A line the transport cannot take (over its read limit, or not JSON-RPC) is logged, never a silent exit.
    onerror: (err) => {
      log.error({ err: err.message }, 'a message from the client could not be read');
      if (/exceed|too (large|long)|maximum/i.test(err.message)) void shutdown('a message over the read limit');
    },
  });
  const accounts = handle.accounts.list();
  log.info(
    {
      version: VERSION,
      accounts: accounts.map((a) => `${a.name} (${a.environment})`),
      readOnly: config.readOnly,
      toolsets: config.dynamicToolsets ? 'dynamic' : config.toolsets.length === TOOLSETS.length ? 'all' : config.toolsets,
      confirmVia: config.confirmVia,
    },
    handle.accounts.sandboxOnly
      ? config.forceSandbox
        ? 'started on the SANDBOX (--sandbox): simulated exchange, no real money'
        : 'started on the SANDBOX: no accounts file was found, so the simulated exchange is used (no real money); add accounts to TOOLS.md to trade on Binance'
      : 'started',
  );
  for (const p of handle.accounts.problems()) log.warn({ account: p.account, field: p.field }, `accounts file: ${p.message}${p.blocksWrites ? ' (writes of this account are refused until it is fixed)' : ''}`);
  // Writes an earlier run left without an outcome: look them up by client id (never resent).
  if (handle.journal.unresolved().length)
    void handle.pipeline.reconcileUnresolved().then(
      (r) => log.warn({ unresolved: r.length, executed: r.filter((x) => x.outcome === 'executed').length, notFound: r.filter((x) => x.outcome === 'not_found').length }, 'writes of an earlier run without an outcome were looked up'),
      (err) => log.warn({ err: (err as Error).message }, 'reconciling earlier writes failed; reconcile_actions can try again'),
    );
}

/** The tool list the build wrote beside the bundle, when there is one (see tools/tool-list.ts). */
function prebuiltToolList(url: URL): ToolListFile | undefined {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as ToolListFile;
  } catch {
    return undefined;
  }
}
