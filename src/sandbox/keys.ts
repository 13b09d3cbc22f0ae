/** Special low-latency API keys and the listen keys of the user data streams. */
import { createPublicKey } from 'node:crypto';
import { errors } from './errors.js';
import type { SandboxExchange } from './exchange.js';
import { symbolInfo } from './market.js';
import type { ExchangeOptions, SpecialKey } from './state.js';

const LISTEN_KEY_TTL_MS = 60 * 60_000;

export class KeyBook {
  constructor(
    private readonly ex: SandboxExchange,
    private readonly hooks: Pick<ExchangeOptions, 'onKeyAdded' | 'onKeyRemoved'>,
  ) {}

  /** Re-announces the special keys of a loaded state, so that they keep working after a restart. */
  announceKeys(): void {
    for (const account of Object.values(this.ex.state.accounts))
      for (const key of account.specialKeys) this.hooks.onKeyAdded?.(account.id, key);
  }

  createSpecialKey(
    accountId: string,
    p: { apiName: string; symbol?: string; ip?: string; publicKey?: string; permissionMode?: 'TRADE' | 'READ' },
  ): SpecialKey {
    const account = this.ex.account(accountId);
    if (p.symbol && !symbolInfo(p.symbol)) throw errors.invalidSymbol();
    const key: SpecialKey = {
      apiName: p.apiName,
      apiKey: this.ex.rng.token(64),
      type: 'HMAC_SHA256',
      ip: p.ip ?? '',
      permissionMode: p.permissionMode ?? 'TRADE',
      ...(p.symbol ? { symbol: p.symbol } : {}),
    };
    if (p.publicKey) {
      const pem = p.publicKey.includes('BEGIN')
        ? p.publicKey
        : `-----BEGIN PUBLIC KEY-----\n${p.publicKey}\n-----END PUBLIC KEY-----\n`;
      let type: string | undefined;
      try {
        type = createPublicKey(pem).asymmetricKeyType;
      } catch {
        throw errors.invalidParam('publicKey');
      }
      if (type !== 'rsa' && type !== 'ed25519') throw errors.invalidParam('publicKey');
      key.type = type === 'rsa' ? 'RSA' : 'Ed25519';
      key.publicKeyPem = pem;
    } else {
      key.secretKey = this.ex.rng.token(64);
    }
    account.specialKeys.push(key);
    this.hooks.onKeyAdded?.(accountId, key);
    return key;
  }

  /** The special keys of one scope (the cross account, or an isolated pair). */
  specialKeys(accountId: string, symbol?: string): SpecialKey[] {
    return this.ex.account(accountId).specialKeys.filter((k) => k.symbol === symbol);
  }

  /**
   * The key a special-key call is about: the one named, else the one that signed the
   * request if it is special, else the scope's newest.
   */
  findSpecialKey(accountId: string, opts: { apiName?: string; requestKey?: string; symbol?: string }): SpecialKey {
    const all = this.ex.account(accountId).specialKeys;
    const key =
      (opts.apiName !== undefined
        ? all.find((k) => k.apiName === opts.apiName && k.symbol === opts.symbol)
        : undefined) ??
      (opts.apiName === undefined ? all.find((k) => k.apiKey === opts.requestKey) : undefined) ??
      (opts.apiName === undefined ? this.specialKeys(accountId, opts.symbol).at(-1) : undefined);
    if (!key) throw errors.badApiKeyId();
    return key;
  }

  deleteSpecialKey(accountId: string, key: SpecialKey): void {
    const account = this.ex.account(accountId);
    account.specialKeys = account.specialKeys.filter((k) => k !== key);
    this.hooks.onKeyRemoved?.(key.apiKey);
  }

  /** Leaves Special Key Mode: deletes every special key, refused while the account owes anything. */
  exitSpecialKeyMode(accountId: string): void {
    const { liabilities } = this.ex.totalsUsdt({ accountId });
    if (liabilities > 0n)
      throw errors.unsupported('Special Key Mode can only be exited when the account has no liability.');
    for (const key of [...this.ex.account(accountId).specialKeys]) this.deleteSpecialKey(accountId, key);
  }

  /**
   * A listenToken for the WebSocket API's user data stream (order and balance updates):
   * a fresh token each time, valid for `validityMs`; an isolated pair must be enabled.
   */
  openListenToken(
    accountId: string,
    symbol: string | undefined,
    validityMs: number,
  ): { token: string; expirationTime: number } {
    this.ex.wallet({ accountId, isolatedSymbol: symbol });
    return { token: this.ex.rng.token(70), expirationTime: this.ex.now() + validityMs };
  }

  /** Binance hands out the same listen key while one is open. */
  openListenKey(accountId: string): string {
    const account = this.ex.account(accountId);
    const now = this.ex.now();
    const key = Object.keys(account.listenKeys)[0] ?? this.ex.rng.token(60);
    account.listenKeys[key] = now + LISTEN_KEY_TTL_MS;
    return key;
  }

  keepListenKey(accountId: string, listenKey: string): void {
    const account = this.ex.account(accountId);
    if (!(listenKey in account.listenKeys)) throw errors.unknownListenKey();
    account.listenKeys[listenKey] = this.ex.now() + LISTEN_KEY_TTL_MS;
  }

  closeListenKey(accountId: string, listenKey?: string): void {
    const account = this.ex.account(accountId);
    if (listenKey === undefined) {
      account.listenKeys = {};
      return;
    }
    if (!(listenKey in account.listenKeys)) throw errors.unknownListenKey();
    delete account.listenKeys[listenKey];
  }
}
