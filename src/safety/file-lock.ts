/**
 * A lock that holds across processes: a lock file created with O_EXCL that names its
 * holder (pid and host). Two servers on one state directory (say, one per MCP client)
 * serialise on it. A lock whose holder died (its pid no longer runs on this host) is
 * taken over at once; one older than `staleMs` is taken over too, in case the holder
 * hangs for good. Within one process, callers queue on a promise chain first, so the
 * file is only ever contended between processes.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ToolError } from '../errors.js';

export interface LockOptions {
  /** How long to wait for the lock before giving up (nothing was done). */
  waitMs?: number;
  /** A lock file older than this is taken over even when its holder seems alive. */
  staleMs?: number;
  /** Says what waited, in the error. */
  what?: string;
}

const HOST = hostname();

const chains = new Map<string, Promise<unknown>>();

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  // In-process queue first: callers of one process never spin on the file.
  const previous = chains.get(lockPath) ?? Promise.resolve();
  const run = previous.then(
    () => holdFile(lockPath, fn, opts),
    () => holdFile(lockPath, fn, opts),
  );
  const tail = run.catch(() => undefined);
  chains.set(lockPath, tail);
  try {
    return await run;
  } finally {
    if (chains.get(lockPath) === tail) chains.delete(lockPath);
  }
}

async function holdFile<T>(lockPath: string, fn: () => Promise<T> | T, opts: LockOptions): Promise<T> {
  const waitMs = opts.waitMs ?? 30_000;
  const staleMs = opts.staleMs ?? 120_000;
  mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, host: HOST, since: new Date().toISOString() }));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (holderGone(lockPath, staleMs)) {
        rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new ToolError(
          'config',
          `${opts.what ?? 'This action'} waited ${Math.round(waitMs / 1000)} s for another server process sharing ` +
            `the state directory; nothing was done.`,
          {
            hint: 'Try again shortly.',
          },
        );
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 50);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

/** True when the lock's holder is known dead, or the lock is older than staleMs. */
function holderGone(lockPath: string, staleMs: number): boolean {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(lockPath).mtimeMs;
    text = readFileSync(lockPath, 'utf8');
  } catch {
    return false; // it went away meanwhile: the next open will tell
  }
  if (Date.now() - mtimeMs > staleMs) return true;
  let holder: { pid?: unknown; host?: unknown };
  try {
    holder = JSON.parse(text) as typeof holder;
  } catch {
    // Created but not yet written (the holder is between open and write), or torn by a crash.
    return Date.now() - mtimeMs > 2_000;
  }
  if (holder.host !== HOST || typeof holder.pid !== 'number') return false;
  // Our own pid: callers of this process queue before the file, so this is a leftover of an
  // earlier process that had the same pid (containers restart as pid 1).
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
