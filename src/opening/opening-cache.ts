/**
 * The opening cache: how this server answered the opening messages of its last stdio
 * session (`initialize`, `notifications/initialized`, the lists), kept so that the next
 * start with the same build, Node, flags, settings and folder answers the same messages
 * before the server's code is loaded (replay.ts, run by bin.ts) and checks those answers
 * once it is (recorder.ts). Most of a cold start is compiling and running the MCP SDK,
 * zod and 65 tools, while a client shows nothing until `tools/list` is answered.
 *
 * Only the listing methods below are ever kept or answered: never a tool call, never a
 * message that acts. The file lives in the state directory, is written 0600, and is
 * used only if this user owns it and nobody else can write it. It holds no secret: the
 * settings that are secrets enter the key only as "set".
 *
 * Node built-ins only: this runs before the server's code is compiled.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Client messages whose answers depend only on the build, the settings and the message itself. */
export const REPLAYABLE: ReadonlySet<string> = new Set([
  'initialize',
  'notifications/initialized',
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
]);
/** At most this many opening messages are kept; a client's opening is three to five. */
export const MAX_EXCHANGES = 8;
const MAX_FILE_BYTES = 1 << 20;
/** Files of other keys (other flags, older builds) kept beside the current one. */
const KEEP_FILES = 16;
/** Settings whose values are secrets: only whether they are set enters the key. */
const SECRET_SETTING = /SECRET|PASSPHRASE|TOKEN|API_KEY$/;

export interface Exchange {
  /** The client's message without `id`. */
  message: Record<string, unknown>;
  /** The server's answer without `id` (`jsonrpc` and `result` or `error`); none for a notification. */
  answer?: Record<string, unknown>;
}

export interface OpeningCacheFile {
  key: string;
  path: string;
}

/** Where the server keeps its state (config.ts uses the same function). */
export function stateDirOf(env: NodeJS.ProcessEnv): string {
  return resolve(env.BINANCE_STATE_DIR || join(homedir(), '.binance-margin-mcp'));
}

/** BINANCE_OPENING_CACHE=0 (or false, no, off) turns the cache off: nothing is replayed or written. */
export const openingCacheOff = (env: NodeJS.ProcessEnv) =>
  /^(0|false|no|off)$/i.test((env.BINANCE_OPENING_CACHE ?? '').trim());

/**
 * The cache file of this start: named by a hash of everything an answer may depend on
 * (the build, Node, the flags, the folder, the home folder and every BINANCE_* setting).
 */
export function openingCacheFile(buildId: string, argv: string[], env: NodeJS.ProcessEnv): OpeningCacheFile {
  const settings = Object.keys(env)
    .filter((k) => k.startsWith('BINANCE_'))
    .sort()
    .map((k) => [k, SECRET_SETTING.test(k) ? '(set)' : env[k]]);
  const key = createHash('sha256')
    .update(JSON.stringify([buildId, process.version, argv, process.cwd(), homedir(), settings]))
    .digest('hex');
  return { key, path: join(stateDirOf(env), 'opening', `${key.slice(0, 32)}.json`) };
}

/** JSON with every object's keys sorted: two messages that mean the same compare equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A JSON-RPC id as a map key: the number 1 and the string "1" are different ids. */
export const idKey = (id: unknown) => `${typeof id}:${String(id)}`;

export function withoutId(message: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, ...rest } = message;
  return rest;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * This user owns it and nobody else may write to it (POSIX; on Windows the temp and home folders are the user's
 * own). What bin.ts runs or sends from a file or folder must pass this.
 */
export function ownedByThisUserAlone(st: { uid: number; mode: number }): boolean {
  return process.platform === 'win32' || (st.uid === process.getuid?.() && (st.mode & 0o022) === 0);
}

/** The kept exchanges, or undefined when there is no usable file (absent, foreign, writable by others, damaged). */
export function readOpeningCache(file: OpeningCacheFile): Exchange[] | undefined {
  let fd: number;
  try {
    fd = openSync(file.path, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    // Answers sent in this server's name: only from a file this user wrote and nobody else can change.
    if (!ownedByThisUserAlone(st)) return undefined;
    const data = JSON.parse(readFileSync(fd, 'utf8')) as { v?: unknown; key?: unknown; exchanges?: unknown };
    if (data.v !== 1 || data.key !== file.key || !Array.isArray(data.exchanges)) return undefined;
    const exchanges = data.exchanges as Exchange[];
    const valid =
      exchanges.length > 0 &&
      exchanges.length <= MAX_EXCHANGES &&
      exchanges.every(
        (x) =>
          isObject(x) &&
          isObject(x.message) &&
          typeof x.message.method === 'string' &&
          REPLAYABLE.has(x.message.method) &&
          !('id' in x.message) &&
          // A request has its answer, a notification none.
          (x.message.method.startsWith('notifications/') ? x.answer === undefined : isObject(x.answer)),
      );
    return valid ? exchanges : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes the file whole (a crash leaves the old one or the new one), 0600, and drops the oldest others. */
export function writeOpeningCache(file: OpeningCacheFile, exchanges: Exchange[]): void {
  const dir = dirname(file.path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ v: 1, key: file.key, exchanges }), { mode: 0o600 });
  renameSync(tmp, file.path);
  const others = readdirSync(dir)
    .filter((n) => n.endsWith('.json') && join(dir, n) !== file.path)
    .map((n) => ({ path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of others.slice(KEEP_FILES - 1)) unlinkSync(old.path);
}
