/**
 * Binance answers the creation of an HMAC special key with its secret, once. The
 * secret must not reach the agent, and must not be lost: it is written to a private
 * file (mode 0600) in the state directory, in the two-line credentials format that
 * add_account reads, and the result says where, with the values masked.
 */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Account } from '../accounts/store.js';
import type { Endpoint } from '../catalog/index.js';
import { redactor } from '../safety/redact.js';

export function protectCredentials(endpoint: Endpoint, account: Account, data: unknown, stateDir: string): unknown {
  if (endpoint.name !== 'create_special_key' || !data || typeof data !== 'object') return data;
  const { apiKey, secretKey } = data as { apiKey?: string; secretKey?: string };
  if (!apiKey) return data;
  redactor.add(apiKey, 'apiKey');
  if (!secretKey) return data;
  redactor.add(secretKey, 'secret');
  const dir = join(stateDir, 'special-keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${account.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`);
  writeFileSync(file, `${apiKey}\n${secretKey}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { ...data, secretKeySavedTo: file, note: 'The secret is shown once by Binance; it was saved to this private file (API key, then secret) and is not shown here.' };
}
