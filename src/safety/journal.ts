/**
 * The intent journal (docs/contract.md §9): one JSON line per event of every
 * state-changing call, in `journal/YYYY-MM.jsonl` under the state directory, mode
 * 0600. The `intent` line is flushed to disk (fsync) before the request leaves, so
 * after a crash the journal still says what may have been sent. Lines pass the
 * redactor: no key, secret, signature or passphrase is ever written.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  writeSync,
  chmodSync,
} from 'node:fs';
import { join } from 'node:path';
import { redactor } from './redact.js';

export type JournalPhase = 'refused' | 'pending' | 'intent' | 'result' | 'unknown';

export interface JournalEntry {
  time: string;
  id: string;
  phase: JournalPhase;
  account: string;
  environment: string;
  endpoint: string;
  tool: string;
  params: Record<string, unknown>;
  clientOrderId?: string;
  summary?: string;
  /** Order or borrow value in USDT, when the rails valued it (daily cap). */
  valueUsdt?: number;
  /** result: 'ok', 'error' (Binance refused it), or 'not_found' (reconciliation: it never executed). */
  status?: string;
  orderId?: string | number;
  errorCode?: number;
  reason?: string;
  reconciled?: boolean;
  /** HTTP mode: the authenticated client (its token's name) that made the call. */
  client?: string;
  /** intent: how the user confirmed it (pipeline/gate.ts `ConfirmedVia`). */
  confirmedVia?: string;
}

/** What read() keeps in memory: a week of entries (unresolved writes look that far back)… */
const KEEP_MS = 7 * 86_400_000;
/** …and, whatever their age, each account's newest 200 of each file (recent_actions shows at most 200). */
const KEEP_LAST = 200;
const CHUNK = 1 << 20;
const PRUNE_EVERY = 2_000;

interface FileTail {
  /** The file's inode: a file replaced (not appended to) is read again from its start. */
  ino: number;
  /** Bytes read up to the end of the last complete line. */
  consumed: number;
  entries: JournalEntry[];
  /** Prune again once the entries reach this many. */
  pruneAt: number;
}

/** The entries a journal question can still need (see KEEP_MS, KEEP_LAST), in their order. */
function prune(entries: JournalEntry[], now: number): JournalEntry[] {
  const since = now - KEEP_MS;
  const seen = new Map<string, number>();
  const keep: boolean[] = new Array(entries.length);
  for (let i = entries.length - 1; i >= 0; i--) {
    const n = (seen.get(entries[i].account) ?? 0) + 1;
    seen.set(entries[i].account, n);
    keep[i] = n <= KEEP_LAST || Date.parse(entries[i].time) >= since;
  }
  return entries.filter((_, i) => keep[i]);
}

/** Parses the complete lines appended to `path` since `tail.consumed`; a line still being written waits. */
function readNewLines(path: string, tail: FileTail): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    const st = fstatSync(fd);
    if (st.ino !== tail.ino || st.size < tail.consumed) {
      tail.ino = st.ino;
      tail.consumed = 0;
      tail.entries = [];
      tail.pruneAt = PRUNE_EVERY;
    }
    // `bytes` always starts at `tail.consumed`: what follows the last complete line is carried over.
    let carry = Buffer.alloc(0);
    let at = tail.consumed;
    while (at < st.size) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, st.size - at));
      const n = readSync(fd, chunk, 0, chunk.length, at);
      if (n <= 0) break;
      at += n;
      const bytes = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const end = bytes.lastIndexOf(10); // the last '\n'
      if (end < 0) {
        carry = bytes;
        continue;
      }
      for (const line of bytes.toString('utf8', 0, end).split('\n')) {
        if (!line.trim()) continue;
        try {
          tail.entries.push(JSON.parse(line) as JournalEntry);
        } catch {
          /* a torn line after a crash: skip it */
        }
      }
      tail.consumed += end + 1;
      carry = bytes.subarray(end + 1);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A line torn by a crash (power loss, a full disk) would swallow the next line appended
 * after it: both would read as one unparseable line, and an intent could go uncounted.
 * So a file that does not end with a newline gets one before anything else is appended.
 */
function endWithNewline(file: string, appendFd: number): void {
  const size = fstatSync(appendFd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, last, 0, 1, size - 1);
  } finally {
    closeSync(fd);
  }
  if (last[0] !== 10) writeSync(appendFd, '\n');
}

export class Journal {
  private fd: number | undefined;
  private month = '';
  private readonly dir: string;
  private readonly tails = new Map<string, FileTail>();

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'journal');
  }

  private open(now: Date): number {
    const month = now.toISOString().slice(0, 7);
    if (this.fd !== undefined && month === this.month) return this.fd;
    if (this.fd !== undefined) closeSync(this.fd);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${month}.jsonl`);
    this.fd = openSync(file, 'a', 0o600);
    chmodSync(file, 0o600);
    this.month = month;
    endWithNewline(file, this.fd);
    return this.fd;
  }

  /** Appends one line; `durable` fsyncs it before returning (the intent line). */
  append(entry: Omit<JournalEntry, 'time'>, durable = false): void {
    const now = new Date();
    const fd = this.open(now);
    const line = `${JSON.stringify(redactor.scrub({ time: now.toISOString(), ...entry }))}\n`;
    writeSync(fd, line);
    if (durable) fsyncSync(fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Entries of the last two monthly files, oldest first: what every question asked of the
   * journal needs (24 h for the daily cap, 7 days for unresolved writes, the last 200 for
   * recent_actions). Each file is read from where the last read stopped (the files are
   * append-only; other processes on the same state directory append to them too), so a
   * check of the daily cap parses only the lines written since, not months of them (issue
   * 23). Entries older than a week are dropped, but each account's last 200 are kept.
   */
  private read(): JournalEntry[] {
    if (!existsSync(this.dir)) return [];
    const files = readdirSync(this.dir)
      .filter((f) => /^\d{4}-\d{2}\.jsonl$/.test(f))
      .sort()
      .slice(-2);
    for (const f of this.tails.keys()) if (!files.includes(f)) this.tails.delete(f);
    let out: JournalEntry[] = [];
    for (const f of files) {
      let tail = this.tails.get(f);
      if (!tail) this.tails.set(f, (tail = { ino: -1, consumed: 0, entries: [], pruneAt: PRUNE_EVERY }));
      readNewLines(join(this.dir, f), tail);
      if (tail.entries.length >= tail.pruneAt) {
        tail.entries = prune(tail.entries, Date.now());
        tail.pruneAt = tail.entries.length + PRUNE_EVERY;
      }
      out = out.concat(tail.entries);
    }
    return out;
  }

  recent(limit: number, account?: string): JournalEntry[] {
    const all = this.read().filter((e) => account === undefined || e.account === account);
    return all.slice(-limit).reverse();
  }

  /**
   * The USDT value of an account's orders and borrows over the last 24 hours. Every
   * intent counts (written by this process or another on the same state directory)
   * unless Binance answered it with an error: an intent without an outcome may have
   * executed, so it counts as spent until it is reconciled.
   */
  valueSince(account: string, sinceMs: number): number {
    const intents = new Map<string, number>();
    const notExecuted = new Set<string>();
    for (const e of this.read()) {
      if (e.account !== account || Date.parse(e.time) < sinceMs) continue;
      if (e.phase === 'intent' && typeof e.valueUsdt === 'number') intents.set(e.id, e.valueUsdt);
      if (e.phase === 'result' && e.status !== 'ok') notExecuted.add(e.id);
    }
    let total = 0;
    for (const [id, value] of intents) if (!notExecuted.has(id)) total += value;
    return total;
  }

  /**
   * Writes whose outcome is not known: an intent with no result line (in flight, or
   * the process died), or an `unknown` outcome not reconciled since. Oldest first.
   */
  unresolved(sinceMs = Date.now() - KEEP_MS): JournalEntry[] {
    const open = new Map<string, JournalEntry>();
    for (const e of this.read()) {
      if (Date.parse(e.time) < sinceMs) continue;
      if (e.phase === 'intent') open.set(e.id, e);
      else if (e.phase === 'result') open.delete(e.id);
    }
    return [...open.values()];
  }
}
