/**
 * The executable: parse flags, serve MCP on stdio (both protocol generations: the
 * SDK's serveStdio picks per connection), log to stderr only, and shut down cleanly
 * when stdin closes or a signal arrives.
 */
import './zod-jitless.js';
import { TOOLSETS } from './catalog/types.js';
import { parseConfig, USAGE, UsageError } from './config.js';
import { createLogger } from './log.js';
import { createServer } from './server.js';
import { VERSION } from './version.js';
import type { ToolListFile } from './tools/tool-list.js';
import { readFileSync } from 'node:fs';

async function main(): Promise<void> {
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
  const handle = createServer(config, log, { toolList: prebuiltToolList() });
  let closing = false;
  const shutdown = async (why: string) => {
    if (closing) return;
    closing = true;
    log.info({ why }, 'shutting down');
    await handle.close().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.on('end', () => void shutdown('stdin closed'));
  process.stdin.on('close', () => void shutdown('stdin closed'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  handle.serve(undefined, { onerror: (err) => log.debug({ err: err.message }, 'mcp stdio') });
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
  for (const p of handle.accounts.problems()) log.warn({ account: p.account, field: p.field }, `accounts file: ${p.message}`);
}

/** The tool list the build wrote beside the bundle, when there is one (see tools/tool-list.ts). */
function prebuiltToolList(): ToolListFile | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./tool-list.json', import.meta.url), 'utf8')) as ToolListFile;
  } catch {
    return undefined;
  }
}

main().catch((err) => {
  process.stderr.write(`binance-margin-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
