/**
 * The first thing a stdio start does (bin.ts), before the server's code is loaded: if
 * the opening cache (opening-cache.ts) holds this start's key, answer the client's
 * opening messages from it, as long as they are exactly the messages that were
 * answered last time, in the same order. The first message that differs, a pause in
 * the conversation, or the end of what is kept hands over to the server. Every byte
 * read is handed back to it, so the server sees the whole conversation, answers it
 * again, and recorder.ts drops the answers already given after checking them.
 *
 * Node built-ins only: this runs before the server's code is compiled.
 */
import {
  canonical,
  type Exchange,
  idKey,
  openingCacheFile,
  openingCacheOff,
  type OpeningCacheFile,
  readOpeningCache,
} from './opening-cache.js';

/** No message answered for this long: the client is not in a hurry, load the server now. */
const PAUSE_MS = 50;
/** An opening message is a few KB: a longer line is not one, and the server's own read limit applies to it. */
const MAX_LINE_BYTES = 1 << 20;

export interface Replayed {
  /** Everything read from stdin, to be read again by the server. */
  input: Buffer;
  /** stdin ended while the opening was answered. */
  inputEnded: boolean;
  /** The requests already answered, by id: the kept exchange each was answered from. */
  answered: Map<string, Exchange>;
  /** The conversation began with `initialize` (a 2025-era session). */
  legacy: boolean;
}

export interface Opening {
  file: OpeningCacheFile;
  /** What the cache held (undefined: nothing usable). */
  kept?: Exchange[];
  /** Set when the cache was used to answer (even if no message matched). */
  replayed?: Replayed;
}

/**
 * Answers the opening from the cache when it can; resolves once the server should be
 * loaded. Undefined: the cache is off for this build or these settings.
 */
export async function answerOpening(buildId: string): Promise<Opening | undefined> {
  // A build that was not stamped (tsc's output, run by tests in-process) has no identity to key on; only a
  // stdio server has an opening to answer (not `setup`, not --http).
  const argv = process.argv.slice(2);
  if (buildId.startsWith('__') || openingCacheOff(process.env)) return undefined;
  if (argv[0] === 'setup' || argv.some((a) => a.startsWith('--http')) || process.env.BINANCE_HTTP) return undefined;
  const file = openingCacheFile(buildId, argv, process.env);
  const kept = readOpeningCache(file);
  if (!kept) return { file };
  return { file, kept, replayed: await replay(kept) };
}

function replay(kept: Exchange[]): Promise<Replayed> {
  const expected = kept.map((x) => canonical(x.message));
  const stdin = process.stdin;
  const chunks: Buffer[] = [];
  let unread: Buffer = Buffer.alloc(0);
  let next = 0;
  let inputEnded = false;
  const answered = new Map<string, Exchange>();

  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(pause);
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onEnd);
      stdin.pause();
      resolve({
        input: Buffer.concat(chunks),
        inputEnded,
        answered,
        legacy: kept[0]!.message.method === 'initialize',
      });
    };
    let pause = setTimeout(finish, PAUSE_MS);

    /** Answers one line; false when it is not the next message kept. */
    const answer = (line: string): boolean => {
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        return false;
      }
      if (message === null || typeof message !== 'object' || Array.isArray(message)) return false;
      const { id, ...rest } = message as Record<string, unknown>;
      if (canonical(rest) !== expected[next]) return false;
      const exchange = kept[next]!;
      if (exchange.answer) {
        if (typeof id !== 'string' && typeof id !== 'number') return false;
        process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, ...exchange.answer })}\n`);
        // Compared by the server once it is loaded (recorder.ts), not here: the load waits for this.
        answered.set(idKey(id), exchange);
      } else if (id !== undefined) return false;
      next++;
      return true;
    };

    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      unread = unread.length ? Buffer.concat([unread, chunk]) : chunk;
      // The SDK's stdio framing: one message per line, a trailing \r dropped.
      for (let nl = unread.indexOf(0x0a); nl !== -1; nl = unread.indexOf(0x0a)) {
        const line = unread.toString('utf8', 0, nl).replace(/\r$/, '');
        unread = unread.subarray(nl + 1);
        if (!answer(line) || next === kept.length) return finish();
        clearTimeout(pause);
        pause = setTimeout(finish, PAUSE_MS);
      }
      if (unread.length > MAX_LINE_BYTES) finish();
    };
    const onEnd = () => {
      inputEnded = true;
      finish();
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onEnd);
    // A client gone before the server is loaded: hand over, the server notices and ends. The listener
    // stays: a write's EPIPE may come after the hand-over, and an 'error' nobody hears ends the process.
    process.stdout.on('error', finish);
  });
}
