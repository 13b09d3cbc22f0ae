/**
 * How the server ends. Whatever ends it (on stdio: stdin closing, the client closing
 * its end of stdout; in both modes: SIGINT, SIGTERM), it ends the same way, once:
 * writes in flight get a few seconds to finish and are journaled as `unknown` if they
 * do not, then the process exits 0 with one log line. A client that goes away never
 * crashes it (an unhandled EPIPE used to end it with a stack trace and exit 1, losing
 * the result line of a write in flight).
 *
 * In HTTP mode stdin means nothing (the server outlives the terminal or the client
 * that started it): only a signal stops it. It first stops taking requests, lets the
 * writes in flight finish, then closes the sessions and connections.
 */
import type { Readable } from 'node:stream';
import type { HttpServerHandle } from './http/server.js';
import type { Logger } from './log.js';
import type { ServerHandle } from './server.js';

/** How long writes in flight may take to finish once the server is asked to stop. */
const DRAIN_MS = 5_000;

function supervise(handle: ServerHandle, log: Logger, http?: HttpServerHandle): (why: string) => Promise<void> {
  let closing = false;
  const shutdown = async (why: string) => {
    if (closing) return;
    closing = true;
    const inFlight = handle.dispatcher.writesInFlight;
    log.info({ why, writesInFlight: inFlight }, 'shutting down');
    http?.stopAccepting();
    const unanswered = await handle.close(DRAIN_MS).catch(() => 0);
    if (unanswered)
      log.warn(
        { unanswered },
        'writes without an answer were journaled as unknown; reconcile_actions settles them after a restart',
      );
    await http?.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return shutdown;
}

/** `input`: what the server reads, stdin (or, when stdin ended before the server was loaded, what it held). */
export function superviseStdioProcess(
  handle: ServerHandle,
  log: Logger,
  input: Readable = process.stdin,
): (why: string) => Promise<void> {
  const shutdown = supervise(handle, log);
  input.on('end', () => void shutdown('stdin closed'));
  input.on('close', () => void shutdown('stdin closed'));
  // EPIPE and friends: the client is gone; nobody is left to answer.
  process.stdout.on(
    'error',
    (err: NodeJS.ErrnoException) => void shutdown(`stdout closed by the client (${err.code ?? err.message})`),
  );
  return shutdown;
}

/** HTTP mode: signals only; stdin is not read (and its end stops nothing). */
export function superviseHttpProcess(
  handle: ServerHandle,
  http: HttpServerHandle,
  log: Logger,
): (why: string) => Promise<void> {
  return supervise(handle, log, http);
}
