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
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
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

export class Journal {
  private fd: number | undefined;
  private month = '';
  private readonly dir: string;

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

  /** Entries of the last two monthly files, oldest first. */
  private read(): JournalEntry[] {
    if (!existsSync(this.dir)) return [];
    const files = readdirSync(this.dir)
      .filter((f) => /^\d{4}-\d{2}\.jsonl$/.test(f))
      .sort()
      .slice(-2);
    const out: JournalEntry[] = [];
    for (const f of files) {
      for (const line of readFileSync(join(this.dir, f), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          out.push(JSON.parse(line) as JournalEntry);
        } catch {
          /* a torn last line after a crash: skip it */
        }
      }
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
  unresolved(sinceMs = Date.now() - 7 * 86_400_000): JournalEntry[] {
    const open = new Map<string, JournalEntry>();
    for (const e of this.read()) {
      if (Date.parse(e.time) < sinceMs) continue;
      if (e.phase === 'intent') open.set(e.id, e);
      else if (e.phase === 'result') open.delete(e.id);
    }
    return [...open.values()];
  }
}
