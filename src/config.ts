/**
 * Start-up configuration from flags and environment variables (docs/contract.md §1).
 * A flag wins over its environment variable. Unknown flags are a usage error (exit 2).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TOOLSETS, type Toolset } from './catalog/types.js';
import type { AccountEnv } from './accounts/environment.js';
import { stateDirOf } from './opening/opening-cache.js';

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
  /**
   * The environment's account (BINANCE_API_KEY & co.), used when there is no accounts file; key file path made
   * absolute.
   */
  accountEnv: AccountEnv;
  /** --http: serve Streamable HTTP instead of stdio (src/http/). */
  http?: HttpConfig;
}

/** A named bearer token of the HTTP mode: the name is the principal its pending actions are bound to. */
export interface NamedToken {
  name: string;
  token: string;
}

export interface HttpConfig {
  host: string;
  port: number;
  /** --allow-remote: the host may be a non-loopback address. */
  allowRemote: boolean;
  /** Host names (and Origin host names) accepted besides the loopback ones and the bound address. */
  allowedHosts: string[];
  /**
   * Tokens configured explicitly (BINANCE_MCP_TOKEN, BINANCE_MCP_TOKENS); the state directory's files are read at start
   * (http/tokens.ts).
   */
  tokens: NamedToken[];
  /** OAuth 2.1 resource-server mode (http/oauth.ts): JWT access tokens of this issuer, for this public URL. */
  oauth?: { issuer: string; resource: string };
}

export class UsageError extends Error {}

export const MAINNET_URL = 'https://api.binance.com';
export const TESTNET_URL = 'https://testnet.binance.vision';

export const USAGE = `Usage: binance-margin-mcp [options]
       binance-margin-mcp setup --client NAME [options]   (add this server to an MCP client; setup --help)

MCP server (stdio, or Streamable HTTP with --http) for Binance Margin Trading.

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
  --http [HOST:]PORT       serve MCP over Streamable HTTP at /mcp instead of stdio; host 127.0.0.1
                           by default [BINANCE_HTTP]. Every request needs Authorization: Bearer with
                           BINANCE_MCP_TOKEN, a token of BINANCE_MCP_TOKENS (name:token,…) or of
                           <state dir>/http-tokens (name token per line), or else the token
                           generated into <state dir>/http-token
  --allow-remote           let --http bind a non-loopback address (needs a configured token, not
                           a generated one) [BINANCE_ALLOW_REMOTE=1]
  --allowed-hosts LIST     host names clients reach the HTTP server by, besides loopback (Host and
                           Origin are checked) [BINANCE_HTTP_ALLOWED_HOSTS]
  --oauth-issuer URL       also accept JWT access tokens of this OAuth authorization server (its
                           protected-resource metadata names it) [BINANCE_OAUTH_ISSUER]
  --public-url URL         this server's public https URL of /mcp: the audience those tokens must
                           name (needed with --oauth-issuer) [BINANCE_PUBLIC_URL]
  --help, --version

Other environment: BINANCE_CONFIRM_TTL_SECONDS (120), BINANCE_STATE_DIR (~/.binance-margin-mcp),
BINANCE_TIMEOUT_MS (10000), BINANCE_RECONCILE_MS (how long an unanswered order is looked up by
its client id; 10000, at most 10000), BINANCE_MAINNET_BASE_URL / BINANCE_TESTNET_BASE_URL
(loopback only), BINANCE_OPENING_CACHE (on; 0 stops answering a stdio client's opening as the last
start did while the server loads), LOG_LEVEL (info).

One account from the environment, the account "main", used when no accounts file is found:
BINANCE_API_KEY with BINANCE_API_SECRET (HMAC), or with BINANCE_PRIVATE_KEY_FILE (RSA or Ed25519;
BINANCE_PRIVATE_KEY_PASSPHRASE if encrypted); BINANCE_ENVIRONMENT (Mainnet, the default, or Sandbox);
limits in USDT BINANCE_MAX_ORDER_VALUE, BINANCE_MAX_BORROW_VALUE, BINANCE_MAX_DAILY_VALUE,
BINANCE_MAX_TRANSFER_VALUE, and BINANCE_ALLOWED_SYMBOLS (comma-separated pairs).`;

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** localhost, 127.0.0.0/8 or ::1 (brackets optional). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Shortest bearer token accepted: a guessable token would be the only thing between the network and the accounts. */
export const MIN_TOKEN_LENGTH = 32;
const TOKEN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks one named token; `where` says where it came from, never its value. */
export function checkNamedToken(name: string, token: string, where: string): NamedToken {
  if (!TOKEN_NAME.test(name))
    throw new UsageError(`${where}: the name "${name}" must be 1 to 64 letters, digits, "_", "." or "-".`);
  if (token.length < MIN_TOKEN_LENGTH || /[\s,]/.test(token) || !/^[\x21-\x7e]+$/.test(token))
    throw new UsageError(
      `${where}: the token of "${name}" must be at least ${MIN_TOKEN_LENGTH} printable characters without spaces ` +
        `or commas (e.g. openssl rand -hex 32).`,
    );
  return { name, token };
}

/** Every token names a distinct principal and is distinct. */
export function checkDistinct(tokens: NamedToken[]): NamedToken[] {
  const names = new Set<string>();
  const values = new Set<string>();
  for (const t of tokens) {
    if (names.has(t.name))
      throw new UsageError(`Two HTTP tokens are named "${t.name}"; each client needs its own name.`);
    if (values.has(t.token))
      throw new UsageError(
        `The HTTP tokens "${t.name}" and another one are the same token; each client needs its own.`,
      );
    names.add(t.name);
    values.add(t.token);
  }
  return tokens;
}

/** `--http [HOST:]PORT`, `BINANCE_MCP_TOKEN`, `BINANCE_MCP_TOKENS` and the remote rules. */
/** An https URL, or http on a loopback host (tests, a local authorization server). */
function httpsUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} is not a URL.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    throw new UsageError(`${name} must be an https URL (http only on a loopback address), not "${value}".`);
  if (url.search || url.hash) throw new UsageError(`${name} takes no query or fragment.`);
  return url;
}

function parseOAuth(issuer: string | undefined, publicUrl: string | undefined): HttpConfig['oauth'] {
  if (!issuer?.trim()) {
    if (publicUrl?.trim()) throw new UsageError('--public-url goes with --oauth-issuer.');
    return undefined;
  }
  if (!publicUrl?.trim())
    throw new UsageError('--oauth-issuer needs --public-url: the https URL of /mcp that tokens must be issued for.');
  httpsUrl('--oauth-issuer', issuer.trim());
  return { issuer: issuer.trim(), resource: httpsUrl('--public-url', publicUrl.trim()).href };
}

function parseHttp(
  spec: string,
  allowRemote: boolean,
  allowedHostsText: string | undefined,
  env: NodeJS.ProcessEnv,
  stateDir: string,
  oauth: HttpConfig['oauth'],
): HttpConfig {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(spec.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535)
    throw new UsageError(`--http takes [HOST:]PORT (e.g. 8765 or 127.0.0.1:8765), not "${spec}".`);
  const host = (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, '');
  const tokens: NamedToken[] = [];
  const single = env.BINANCE_MCP_TOKEN?.trim();
  if (single) tokens.push(checkNamedToken('default', single, 'BINANCE_MCP_TOKEN'));
  for (const item of (env.BINANCE_MCP_TOKENS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const colon = item.indexOf(':');
    if (colon <= 0) throw new UsageError('BINANCE_MCP_TOKENS takes name:token pairs separated by commas.');
    tokens.push(checkNamedToken(item.slice(0, colon), item.slice(colon + 1), 'BINANCE_MCP_TOKENS'));
  }
  checkDistinct(tokens);
  if (!isLoopbackHost(host)) {
    if (!allowRemote)
      throw new UsageError(
        `--http ${spec} binds a non-loopback address; add --allow-remote to serve other machines (put a TLS ` +
          `reverse proxy in front).`,
      );
    // A token the server generates is not one the remote clients were given: it takes one the user configured.
    if (!tokens.length && !oauth && !existsSync(join(stateDir, 'http-tokens')))
      throw new UsageError(
        `A non-loopback --http needs BINANCE_MCP_TOKEN, BINANCE_MCP_TOKENS, ${join(stateDir, 'http-tokens')} or ` +
          `--oauth-issuer: a token generated into the state directory is not one the remote clients were given.`,
      );
  }
  const allowedHosts = (allowedHostsText ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  // The public name a proxy forwards for is one clients use.
  if (oauth) allowedHosts.push(new URL(oauth.resource).hostname.toLowerCase());
  for (const h of allowedHosts)
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(h))
      throw new UsageError(`--allowed-hosts takes host names without scheme or port, not "${h}".`);
  // Behind a wildcard address the server cannot tell which names its clients use: they must be named.
  if ((host === '0.0.0.0' || host === '::') && !allowedHosts.length)
    throw new UsageError(
      `--http ${spec} listens on every address; name the host names clients use with --allowed-hosts (the Host and ` +
        `Origin headers are checked against them).`,
    );
  return { host, port, allowRemote, allowedHosts: [...new Set(allowedHosts)], tokens, ...(oauth ? { oauth } : {}) };
}

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
    throw new UsageError(
      `${name} must point at a loopback address (127.0.0.0/8, localhost or [::1]); "${url.hostname}" is not one, ` +
        `so API keys would leave this machine.`,
    );
  return url.origin;
}

export function parseConfig(
  argv: string[],
  givenEnv: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): Config | 'help' | 'version' {
  // A desktop bundle passes an optional field the user left empty as its placeholder,
  // "${user_config.NAME}", unreplaced (@anthropic-ai/mcpb's replaceVariables): unset.
  const env = Object.fromEntries(
    Object.entries(givenEnv).filter(([, v]) => !/^\$\{user_config\.[^}]*\}$/.test(v ?? '')),
  ) as NodeJS.ProcessEnv;
  const flags = new Map<string, string | true>();
  const takesValue = new Set([
    '--tools-md',
    '--toolsets',
    '--confirm-via',
    '--sandbox-state',
    '--http',
    '--allowed-hosts',
    '--oauth-issuer',
    '--public-url',
  ]);
  const switches = new Set([
    '--sandbox',
    '--read-only',
    '--confirm-all',
    '--allow-remote',
    '--help',
    '-h',
    '--version',
  ]);
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

  const stateDir = stateDirOf(env);
  const toolsMd = (flags.get('--tools-md') as string | undefined) ?? env.BINANCE_TOOLS_MD;
  const toolsMdPath = toolsMd
    ? resolve(cwd, toolsMd)
    : existsSync(join(cwd, 'TOOLS.md'))
      ? join(cwd, 'TOOLS.md')
      : join(stateDir, 'TOOLS.md');

  const toolsetsText = ((flags.get('--toolsets') as string | undefined) ?? env.BINANCE_TOOLSETS ?? 'all').trim();
  let toolsets: Toolset[];
  const dynamicToolsets = toolsetsText === 'dynamic';
  if (toolsetsText === '' || toolsetsText === 'all') toolsets = [...TOOLSETS];
  else if (dynamicToolsets) toolsets = ['core'];
  else {
    const names = toolsetsText
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !(TOOLSETS as readonly string[]).includes(n));
    if (unknown.length)
      throw new UsageError(
        `Unknown toolset ${unknown.join(', ')}; choose from ${TOOLSETS.join(', ')}, all or dynamic.`,
      );
    toolsets = names as Toolset[];
  }

  const confirmVia = ((flags.get('--confirm-via') as string | undefined) ?? env.BINANCE_CONFIRM_VIA ?? 'auto').trim();
  if (!['token', 'elicitation', 'input-required', 'auto'].includes(confirmVia))
    throw new UsageError(`--confirm-via must be token, elicitation, input-required or auto, not "${confirmVia}".`);

  const ttl = Number(env.BINANCE_CONFIRM_TTL_SECONDS ?? 120);
  if (!Number.isFinite(ttl) || ttl <= 0)
    throw new UsageError('BINANCE_CONFIRM_TTL_SECONDS must be a positive number of seconds.');
  const timeoutMs = Number(env.BINANCE_TIMEOUT_MS ?? 10_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError('BINANCE_TIMEOUT_MS must be a positive number of milliseconds.');
  const reconcileMs = Number(env.BINANCE_RECONCILE_MS ?? 10_000);

  const sandboxState = (flags.get('--sandbox-state') as string | undefined) ?? env.BINANCE_SANDBOX_STATE;
  const httpSpec = ((flags.get('--http') as string | undefined) ?? env.BINANCE_HTTP ?? '').trim();
  for (const f of ['--allow-remote', '--allowed-hosts', '--oauth-issuer', '--public-url'])
    if (!httpSpec && flags.has(f)) throw new UsageError(`${f} goes with --http.`);
  const http = httpSpec
    ? parseHttp(
        httpSpec,
        flags.has('--allow-remote') || truthy(env.BINANCE_ALLOW_REMOTE),
        (flags.get('--allowed-hosts') as string | undefined) ?? env.BINANCE_HTTP_ALLOWED_HOSTS,
        env,
        stateDir,
        parseOAuth(
          (flags.get('--oauth-issuer') as string | undefined) ?? env.BINANCE_OAUTH_ISSUER,
          (flags.get('--public-url') as string | undefined) ?? env.BINANCE_PUBLIC_URL,
        ),
      )
    : undefined;
  return {
    toolsMdPath,
    forceSandbox: flags.has('--sandbox') || truthy(env.BINANCE_SANDBOX),
    readOnly: flags.has('--read-only') || truthy(env.BINANCE_READ_ONLY),
    toolsets,
    dynamicToolsets,
    confirmVia: confirmVia as ConfirmVia,
    confirmAll: flags.has('--confirm-all') || truthy(env.BINANCE_CONFIRM_ALL),
    confirmTtlSeconds: ttl,
    mainnetBaseUrl: env.BINANCE_MAINNET_BASE_URL
      ? checkLoopbackUrl('BINANCE_MAINNET_BASE_URL', env.BINANCE_MAINNET_BASE_URL)
      : MAINNET_URL,
    testnetBaseUrl: env.BINANCE_TESTNET_BASE_URL
      ? checkLoopbackUrl('BINANCE_TESTNET_BASE_URL', env.BINANCE_TESTNET_BASE_URL)
      : TESTNET_URL,
    stateDir,
    sandboxStatePath: sandboxState ? resolve(cwd, sandboxState) : undefined,
    timeoutMs,
    reconcileWindowMs: Math.min(Number.isFinite(reconcileMs) && reconcileMs >= 0 ? reconcileMs : 10_000, 10_000),
    logLevel: env.LOG_LEVEL || 'info',
    accountEnv: {
      BINANCE_API_KEY: env.BINANCE_API_KEY,
      BINANCE_API_SECRET: env.BINANCE_API_SECRET,
      BINANCE_PRIVATE_KEY_FILE: env.BINANCE_PRIVATE_KEY_FILE?.trim()
        ? resolve(cwd, env.BINANCE_PRIVATE_KEY_FILE.trim())
        : undefined,
      BINANCE_PRIVATE_KEY_PASSPHRASE: env.BINANCE_PRIVATE_KEY_PASSPHRASE,
      BINANCE_ENVIRONMENT: env.BINANCE_ENVIRONMENT,
      BINANCE_MAX_ORDER_VALUE: env.BINANCE_MAX_ORDER_VALUE,
      BINANCE_MAX_BORROW_VALUE: env.BINANCE_MAX_BORROW_VALUE,
      BINANCE_MAX_DAILY_VALUE: env.BINANCE_MAX_DAILY_VALUE,
      BINANCE_MAX_TRANSFER_VALUE: env.BINANCE_MAX_TRANSFER_VALUE,
      BINANCE_ALLOWED_SYMBOLS: env.BINANCE_ALLOWED_SYMBOLS,
    },
    http,
  };
}
