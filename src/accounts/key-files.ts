/**
 * Reading the files an account points at (a PEM private key, a two-line credentials
 * file). Their paths can come from the agent, so anything it types is hostile: only a
 * regular file (no device, FIFO or directory: `/dev/zero` would never end, a FIFO
 * would block the server) of at most 64 KiB, in the expected format, is read. A
 * refusal says what is wrong and never repeats the path or a byte of the content.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export const MAX_KEY_FILE_BYTES = 64 * 1024;

export class KeyFileError extends Error {}

/** Printable ASCII without spaces: what Binance API keys and secrets are made of. */
const CREDENTIAL = /^[\x21-\x7e]{8,256}$/;
const pemLabel = (edge: 'BEGIN' | 'END') => `-----${edge} ((RSA|EC|ENCRYPTED) )?PRIVATE KEY-----`;
/** One PEM private key block: a label line, base64 (and, for old encrypted keys, header) lines, the end label. */
const PEM_PRIVATE_KEY = new RegExp(`^${pemLabel('BEGIN')}\\r?\\n[A-Za-z0-9+/=\\r\\n:,\\- ]+${pemLabel('END')}\\s*$`);

/** The whole file, when it is a regular file of at most 64 KiB. */
export function readSmallRegularFile(path: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before fstat can refuse it.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch {
    throw new KeyFileError('could not be opened');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new KeyFileError('is not a regular file');
    if (st.size > MAX_KEY_FILE_BYTES) throw new KeyFileError(`is larger than ${MAX_KEY_FILE_BYTES / 1024} KiB`);
    const buf = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let len = 0;
    for (;;) {
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      if (len > MAX_KEY_FILE_BYTES) throw new KeyFileError(`is larger than ${MAX_KEY_FILE_BYTES / 1024} KiB`);
    }
    return buf.subarray(0, len).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A PEM private key file: one PRIVATE KEY block and nothing else. */
export function readPemPrivateKey(path: string): string {
  const text = readSmallRegularFile(path);
  if (!PEM_PRIVATE_KEY.test(`${text.trim()}\n`))
    throw new KeyFileError('is not a PEM private key (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)');
  return text;
}

/** A credentials file: exactly two non-empty lines, the API key then the secret. */
export function readCredentialsFile(path: string): { apiKey: string; secret: string } {
  const lines = readSmallRegularFile(path)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length !== 2 || !lines.every((l) => CREDENTIAL.test(l)))
    throw new KeyFileError(
      'is not a credentials file (exactly two non-empty lines: the API key, then the secret, each 8 to 256 ' +
        'characters without spaces)',
    );
  return { apiKey: lines[0], secret: lines[1] };
}
