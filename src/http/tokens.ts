/**
 * Who may call the HTTP server, and as whom (issue 19.2, 19.4).
 *
 * Every request carries `Authorization: Bearer <token>`. A token names a principal:
 * pending actions, sealed confirmation states and 2025 sessions are bound to the
 * principal that created them, so another client cannot confirm or resume them.
 * With one shared token every client is the same principal; give each client its
 * own named token to keep them apart.
 *
 * Sources, all of them used together:
 * - `BINANCE_MCP_TOKEN`: one token, principal `default`;
 * - `BINANCE_MCP_TOKENS`: `name:token,name:token`;
 * - `<state dir>/http-tokens`: one `name token` per line (`#` starts a comment),
 *   a file only its owner may read;
 * - when none of these gives a token: `<state dir>/http-token`, generated at first
 *   start (256 random bits, created with O_EXCL and mode 0600) and reused after;
 *   principal `default`. Its path is logged, never its content. Not in OAuth mode
 *   (http/oauth.ts), where the authorization server's tokens are the source.
 *
 * Tokens are compared in constant time: each candidate is hashed (SHA-256) and every
 * configured token is compared with timingSafeEqual, without stopping at a match.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkDistinct, checkNamedToken, UsageError, type NamedToken } from '../config.js';

export const TOKEN_FILE = 'http-token';
export const TOKENS_FILE = 'http-tokens';

export interface TokenSet {
  /** The principal a presented token belongs to, or undefined. */
  principalOf(presented: string): string | undefined;
  names: string[];
  /** Where the tokens came from (file paths and variable names, never a token). */
  sources: string[];
  /** The generated token file, when that is the source. */
  generatedFile?: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** A file holding secrets must not be readable by others (as ssh requires of its keys). */
function assertPrivate(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077)
    throw new UsageError(`${path} may be read by other users (mode ${mode.toString(8)}); run chmod 600 on it.`);
}

/** `<state dir>/http-tokens`: `name token` per line. */
function readTokensFile(path: string): NamedToken[] {
  assertPrivate(path);
  const out: NamedToken[] = [];
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (!line) return;
      const parts = line.split(/\s+/);
      if (parts.length !== 2)
        throw new UsageError(`${path} line ${i + 1}: write a name and a token, separated by a space.`);
      out.push(checkNamedToken(parts[0], parts[1], `${path} line ${i + 1}`));
    });
  return out;
}

/** Reads `<state dir>/http-token`, creating it first (O_EXCL, 0600, 256 random bits) when it does not exist. */
function generatedToken(stateDir: string): { token: string; path: string; created: boolean } {
  const path = join(stateDir, TOKEN_FILE);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  let created = false;
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
    } finally {
      closeSync(fd);
    }
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  assertPrivate(path);
  const token = readFileSync(path, 'utf8').trim();
  checkNamedToken('default', token, path);
  return { token, path, created };
}

/** `generate: false` (OAuth mode): no token is generated when none is configured. */
export function loadTokens(
  configured: NamedToken[],
  stateDir: string,
  opts: { generate?: boolean } = {},
): TokenSet & { created?: boolean } {
  const tokens = [...configured];
  const sources = configured.length ? ['BINANCE_MCP_TOKEN(S)'] : [];
  const filePath = join(stateDir, TOKENS_FILE);
  if (existsSync(filePath)) {
    tokens.push(...readTokensFile(filePath));
    sources.push(filePath);
  }
  let generated: ReturnType<typeof generatedToken> | undefined;
  if (!tokens.length && opts.generate !== false) {
    generated = generatedToken(stateDir);
    tokens.push({ name: 'default', token: generated.token });
    sources.push(generated.path);
  }
  checkDistinct(tokens);
  const table = tokens.map((t) => ({ name: t.name, hash: digest(t.token) }));
  return {
    principalOf(presented) {
      const h = digest(presented);
      let found: string | undefined;
      for (const t of table) if (timingSafeEqual(t.hash, h) && found === undefined) found = t.name;
      return found;
    },
    names: table.map((t) => t.name),
    sources,
    generatedFile: generated?.path,
    created: generated?.created,
  };
}
