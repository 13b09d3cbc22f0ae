/**
 * Logging: pino, JSON lines, to stderr only (stdout is the MCP channel). Every line
 * passes the redactor, and credential-named fields are censored by pino as well.
 */
import pino, { type Logger } from 'pino';
import { redactor } from './safety/redact.js';

export type { Logger };

export function createLogger(level: string, destination: NodeJS.WritableStream | number = 2): Logger {
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination;
  return pino(
    {
      level,
      base: { name: 'binance-margin-mcp' },
      redact: {
        paths: [
          'apiKey',
          'secret',
          'secretKey',
          'signature',
          'privateKey',
          'passphrase',
          '*.apiKey',
          '*.secret',
          '*.secretKey',
          '*.signature',
          '*.privateKey',
          '*.passphrase',
          'headers["x-mbx-apikey"]',
          'authorization',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '[REDACTED]',
      },
      formatters: {
        log: (obj) => redactor.scrub(obj),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? redactor.scrubText(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    stream as pino.DestinationStream,
  );
}
