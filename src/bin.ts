/**
 * The executable: parse flags, start the MCP server on stdio, log to stderr only,
 * and shut down cleanly when stdin closes or a signal arrives.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { parseConfig, USAGE, UsageError } from './config.js';
import { createLogger } from './log.js';
import { createServer } from './server.js';
import { VERSION } from './version.js';

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
  const handle = createServer(config, log);
  const transport = new StdioServerTransport();
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

  await handle.server.connect(transport);
  const accounts = handle.accounts.list();
  log.info(
    {
      version: VERSION,
      accounts: accounts.map((a) => `${a.name} (${a.environment})`),
      readOnly: config.readOnly,
      toolsets: config.toolsets.length === 9 ? 'all' : config.toolsets,
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

main().catch((err) => {
  process.stderr.write(`binance-margin-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
