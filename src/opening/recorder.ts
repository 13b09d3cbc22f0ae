/**
 * The server's side of the opening cache (opening-cache.ts): a transport in front of
 * stdio that
 * - records the opening messages (the listing methods only, until the first other
 *   message) and the server's answers, and writes them to the cache file when they
 *   differ from what it held;
 * - drops the answers to requests replay.ts already answered, after checking them: an
 *   answer that differs (the cache was stale) is logged, the cache rewritten, and a
 *   2025-era client is told that the tool list changed, so that it asks again.
 */
import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/server';
import type { Logger } from '../log.js';
import {
  canonical,
  type Exchange,
  idKey,
  MAX_EXCHANGES,
  REPLAYABLE,
  withoutId,
  writeOpeningCache,
} from './opening-cache.js';
import type { Opening } from './replay.js';

const sameExchange = (a: Exchange, b: Exchange) =>
  canonical(a.message) === canonical(b.message) && canonical(a.answer) === canonical(b.answer);

export class OpeningRecorder implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];

  private recording = true;
  private readonly exchanges: Exchange[] = [];
  /** Recorded requests not answered yet: id → index in `exchanges`. */
  private readonly unanswered = new Map<string, number>();
  /** Requests replay.ts answered (from these kept exchanges), whose answers from the server are checked and dropped. */
  private readonly given: Map<string, Exchange>;

  constructor(
    private readonly wire: Transport,
    private readonly opening: Opening,
    private readonly log: Logger,
  ) {
    this.given = opening.replayed?.answered ?? new Map();
  }

  start(): Promise<void> {
    this.wire.onmessage = (message, extra) => {
      if (this.recording) this.record(message as Record<string, unknown>);
      this.onmessage?.(message, extra);
    };
    this.wire.onerror = (error) => this.onerror?.(error);
    this.wire.onclose = () => this.onclose?.();
    return this.wire.start();
  }

  close(): Promise<void> {
    return this.wire.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!('id' in message) || !('result' in message || 'error' in message)) return this.wire.send(message, options);
    const id = idKey(message.id);
    const given = this.given.get(id);
    let sent: Promise<void> | undefined;
    if (given) {
      this.given.delete(id);
      this.check(given, message);
    } else sent = this.wire.send(message, options);
    // After the answer is out: the cache file is written at most once per opening message.
    const at = this.unanswered.get(id);
    if (at !== undefined) {
      this.unanswered.delete(id);
      this.exchanges[at]!.answer = withoutId(message as Record<string, unknown>);
      this.keep();
    }
    return sent ?? Promise.resolve();
  }

  private record(message: Record<string, unknown>): void {
    const method = message.method;
    if (typeof method !== 'string' || !REPLAYABLE.has(method) || this.exchanges.length === MAX_EXCHANGES) {
      this.recording = false;
      return;
    }
    if (message.id !== undefined) this.unanswered.set(idKey(message.id), this.exchanges.length);
    this.exchanges.push({ message: withoutId(message) });
  }

  /** Writes the answered part of the opening, unless the cache already begins with it. */
  private keep(): void {
    const complete: Exchange[] = [];
    for (const x of this.exchanges) {
      if (!x.answer && !String(x.message.method).startsWith('notifications/')) break;
      complete.push(x);
    }
    const kept = this.opening.kept;
    if (!complete.length || (kept && complete.every((x, i) => kept[i] && sameExchange(x, kept[i])))) return;
    try {
      writeOpeningCache(this.opening.file, complete);
      this.opening.kept = complete;
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'the opening cache could not be written');
    }
  }

  private check(given: Exchange, message: JSONRPCMessage): void {
    if (canonical(withoutId(message as Record<string, unknown>)) === canonical(given.answer)) return;
    const method = given.message.method;
    const tell = method === 'tools/list' && this.opening.replayed?.legacy;
    this.log.warn(
      { method },
      'an answer given from the opening cache differs from the server’s; the cache is rewritten' +
        (tell ? ', and the client is told that the tool list changed' : ''),
    );
    if (tell)
      this.wire
        .send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
        .catch((err: Error) => this.onerror?.(err));
  }
}
