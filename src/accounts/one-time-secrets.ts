/**
 * Binance answers some writes with a secret shown once (an HMAC special key's
 * `secretKey`; the catalog entry says which fields, `oneTimeSecret`). The secret must
 * not reach the agent and must not be lost: it is written to a private file (mode
 * 0600) in the state directory, in the two-line credentials format add_account reads,
 * and the result says so with the values masked.
 *
 * Binance has already executed the write when this runs, so it never throws: if the
 * file cannot be written the result still comes back (masked, with a warning), since an
 * error would invite the agent to create a second key.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoint } from '../catalog/index.js';
import type { Logger } from '../log.js';
import { redactor } from '../safety/redact.js';

export function keepOneTimeSecret(
  endpoint: Endpoint,
  accountName: string,
  data: unknown,
  stateDir: string,
  log: Logger,
): unknown {
  const fields = endpoint.oneTimeSecret;
  if (!fields || !data || typeof data !== 'object') return data;
  const record = data as Record<string, unknown>;
  const apiKey = record[fields.apiKeyField];
  const secret = record[fields.secretField];
  if (typeof apiKey !== 'string') return data;
  redactor.add(apiKey, 'apiKey');
  if (typeof secret !== 'string') return data;
  redactor.add(secret, 'secret');
  try {
    const dir = join(stateDir, 'special-keys');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, `${accountName}-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`);
    writeFileSync(file, `${apiKey}\n${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return {
      ...record,
      secretKeySavedTo: file,
      note:
        'The secret is shown once by Binance; it was saved to this private file (API key, then secret) and is ' +
        'not shown here.',
    };
  } catch (err) {
    log.error({ code: (err as NodeJS.ErrnoException).code }, 'a one-time secret could not be saved');
    return {
      ...record,
      warning:
        'Binance created the key, but its secret (shown once) could not be saved to the state directory, so it is ' +
        'lost. Do NOT create another key: ask the user to delete this one (delete_special_key) and create a ' +
        'new one once the state directory is writable.',
    };
  }
}
