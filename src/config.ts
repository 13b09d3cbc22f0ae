/**
 * Start-up configuration from flags and environment variables (docs/contract.md §1).
 * A flag wins over its environment variable. Unknown flags are a usage error (exit 2).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { TOOLSETS, type Toolset } from './catalog/types.js';
import type { AccountEnv } from './accounts/environment.js';

export type ConfirmVia = 'token' | 'elicitation' | 'input-required' | 'auto';

export interface Config {
  toolsMdPath: string;
  forceSandbox: boolean;
  readOnly: boolean;
  /** Toolsets exposed; all of them by default. With dynamicToolsets, the ones enabled at start (core). */
  toolsets: Toolset[];
  /** --toolsets dynamic: list_toolsets and enable_toolset add toolsets while the client runs. */
  dynamicToolsets: boolean;
  confirmVia: ConfirmVia;
  confirmAll: boolean;
  confirmTtlSeconds: number;
  mainnetBaseUrl: string;
  testnetBaseUrl: string;
  stateDir: string;
  sandboxStatePath?: string;
  timeoutMs: number;
  /** How long an order with no answer is looked up by its client id (§9: at most 10 s). */
  reconcileWindowMs: number;
  logLevel: string;
  /** The environment's account (BINANCE_API_KEY & co.), used when there is no accounts file; key file path made absolute. */
  accountEnv: AccountEnv;
}

export class UsageError extends Error {}

export const MAINNET_URL = 'https://api.binance.com';
export const TESTNET_URL = 'https://testnet.binance.vision';

export const USAGE = `Usage: binance-margin-mcp [options]
       binance-margin-mcp setup --client NAME [options]   (add this server to an MCP client; setup --help)

MCP server (stdio) for Binance Margin Trading.

Options (environment variable in brackets):
  --tools-md PATH          accounts file [BINANCE_TOOLS_MD]; default ./TOOLS.md, else ~/.binance-margin-mcp/TOOLS.md
  --sandbox                use the embedded simulated exchange only [BINANCE_SANDBOX=1]
  --sandbox-state FILE     keep the sandbox's state in FILE across restarts [BINANCE_SANDBOX_STATE]
  --read-only              list and allow no state-changing tool [BINANCE_READ_ONLY=1]
  --toolsets LIST          comma-separated toolsets to expose, all, or dynamic (core, plus
                           list_toolsets and enable_toolset) [BINANCE_TOOLSETS]
                           (${TOOLSETS.join(', ')})
  --confirm-via MODE       token | elicitation | input-required | auto (default auto) [BINANCE_CONFIRM_VIA]
  --confirm-all            gate writes on every environment, not only Mainnet [BINANCE_CONFIRM_ALL=1]
  --help, --version

Other environment: BINANCE_CONFIRM_TTL_SECONDS (120), BINANCE_STATE_DIR (~/.binance-margin-mcp),
BINANCE_TIMEOUT_MS (10000), BINANCE_RECONCILE_MS (how long an unanswered order is looked up by
its client id; 10000, at most 10000), BINANCE_MAINNET_BASE_URL / BINANCE_TESTNET_BASE_URL
(loopback only), LOG_LEVEL (info).

One account from the environment, the account "main", used when no accounts file is found:
BINANCE_API_KEY with BINANCE_API_SECRET (HMAC), or with BINANCE_PRIVATE_KEY_FILE (RSA or Ed25519;
BINANCE_PRIVATE_KEY_PASSPHRASE if encrypted); BINANCE_ENVIRONMENT (Mainnet, the default, or Sandbox);
limits in USDT BINANCE_MAX_ORDER_VALUE, BINANCE_MAX_BORROW_VALUE, BINANCE_MAX_DAILY_VALUE,
BINANCE_MAX_TRANSFER_VALUE, and BINANCE_ALLOWED_SYMBOLS (comma-separated pairs).`;

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** Only loopback hosts may replace Binance's base URLs: keys go to Binance or to this machine. */
export function checkLoopbackUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} is not a URL.`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (!loopback || !/^https?:$/.test(url.protocol))
    throw new UsageError(`${name} must point at a loopback address (127.0.0.0/8, localhost or [::1]); "${url.hostname}" is not one, so API keys would leave this machine.`);
  return url.origin;
}

export function parseConfig(argv: string[], givenEnv: NodeJS.ProcessEnv, cwd = process.cwd()): Config | 'help' | 'version' {
  // A desktop bundle passes an optional field the user left empty as its placeholder,
  // "${user_config.NAME}", unreplaced (@anthropic-ai/mcpb's replaceVariables): unset.
  const env = Object.fromEntries(Object.entries(givenEnv).filter(([, v]) => !/^\$\{user_config\.[^}]*\}$/.test(v ?? ''))) as NodeJS.ProcessEnv;
  const flags = new Map<string, string | true>();
  const takesValue = new Set(['--tools-md', '--toolsets', '--confirm-via', '--sandbox-state']);
  const switches = new Set(['--sandbox', '--read-only', '--confirm-all', '--help', '-h', '--version']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (takesValue.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value.`);
      flags.set(name, value);
    } else if (switches.has(name) && eq < 0) flags.set(name, true);
    else throw new UsageError(`Unknown option ${arg}.`);
  }
  if (flags.has('--help') || flags.has('-h')) return 'help';
  if (flags.has('--version')) return 'version';

  const stateDir = resolve(env.BINANCE_STATE_DIR || join(homedir(), '.binance-margin-mcp'));
  const toolsMd = (flags.get('--tools-md') as string | undefined) ?? env.BINANCE_TOOLS_MD;
  const toolsMdPath = toolsMd ? resolve(cwd, toolsMd) : existsSync(join(cwd, 'TOOLS.md')) ? join(cwd, 'TOOLS.md') : join(stateDir, 'TOOLS.md');

  const toolsetsText = ((flags.get('--toolsets') as string | undefined) ?? env.BINANCE_TOOLSETS ?? 'all').trim();
  let toolsets: Toolset[];
  const dynamicToolsets = toolsetsText === 'dynamic';
  if (toolsetsText === '' || toolsetsText === 'all') toolsets = [...TOOLSETS];
  else if (dynamicToolsets) toolsets = ['core'];
  else {
    const names = toolsetsText.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(TOOLSETS as readonly string[]).includes(n));
    if (unknown.length) throw new UsageError(`Unknown toolset ${unknown.join(', ')}; choose from ${TOOLSETS.join(', ')}, all or dynamic.`);
    toolsets = names as Toolset[];
  }

  const confirmVia = ((flags.get('--confirm-via') as string | undefined) ?? env.BINANCE_CONFIRM_VIA ?? 'auto').trim();
  if (!['token', 'elicitation', 'input-required', 'auto'].includes(confirmVia)) throw new UsageError(`--confirm-via must be token, elicitation, input-required or auto, not "${confirmVia}".`);

  const ttl = Number(env.BINANCE_CONFIRM_TTL_SECONDS ?? 120);
  if (!Number.isFinite(ttl) || ttl <= 0) throw new UsageError('BINANCE_CONFIRM_TTL_SECONDS must be a positive number of seconds.');
  const timeoutMs = Number(env.BINANCE_TIMEOUT_MS ?? 10_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('BINANCE_TIMEOUT_MS must be a positive number of milliseconds.');
  const reconcileMs = Number(env.BINANCE_RECONCILE_MS ?? 10_000);

  const sandboxState = (flags.get('--sandbox-state') as string | undefined) ?? env.BINANCE_SANDBOX_STATE;
  return {
    toolsMdPath,
    forceSandbox: flags.has('--sandbox') || truthy(env.BINANCE_SANDBOX),
    readOnly: flags.has('--read-only') || truthy(env.BINANCE_READ_ONLY),
    toolsets,
    dynamicToolsets,
    confirmVia: confirmVia as ConfirmVia,
    confirmAll: flags.has('--confirm-all') || truthy(env.BINANCE_CONFIRM_ALL),
    confirmTtlSeconds: ttl,
    mainnetBaseUrl: env.BINANCE_MAINNET_BASE_URL ? checkLoopbackUrl('BINANCE_MAINNET_BASE_URL', env.BINANCE_MAINNET_BASE_URL) : MAINNET_URL,
    testnetBaseUrl: env.BINANCE_TESTNET_BASE_URL ? checkLoopbackUrl('BINANCE_TESTNET_BASE_URL', env.BINANCE_TESTNET_BASE_URL) : TESTNET_URL,
    stateDir,
    sandboxStatePath: sandboxState ? resolve(cwd, sandboxState) : undefined,
    timeoutMs,
    reconcileWindowMs: Math.min(Number.isFinite(reconcileMs) && reconcileMs >= 0 ? reconcileMs : 10_000, 10_000),
    logLevel: env.LOG_LEVEL || 'info',
    accountEnv: {
      BINANCE_API_KEY: env.BINANCE_API_KEY,
      BINANCE_API_SECRET: env.BINANCE_API_SECRET,
      BINANCE_PRIVATE_KEY_FILE: env.BINANCE_PRIVATE_KEY_FILE?.trim() ? resolve(cwd, env.BINANCE_PRIVATE_KEY_FILE.trim()) : undefined,
      BINANCE_PRIVATE_KEY_PASSPHRASE: env.BINANCE_PRIVATE_KEY_PASSPHRASE,
      BINANCE_ENVIRONMENT: env.BINANCE_ENVIRONMENT,
      BINANCE_MAX_ORDER_VALUE: env.BINANCE_MAX_ORDER_VALUE,
      BINANCE_MAX_BORROW_VALUE: env.BINANCE_MAX_BORROW_VALUE,
      BINANCE_MAX_DAILY_VALUE: env.BINANCE_MAX_DAILY_VALUE,
      BINANCE_MAX_TRANSFER_VALUE: env.BINANCE_MAX_TRANSFER_VALUE,
      BINANCE_ALLOWED_SYMBOLS: env.BINANCE_ALLOWED_SYMBOLS,
    },
  };
}
