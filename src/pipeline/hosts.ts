/**
 * Where an account's requests go, and with which credentials. Mainnet goes to
 * api.binance.com (or a loopback override), Sandbox to the embedded exchange, which
 * is started on first use; Testnet serves no margin endpoint, so nothing is sent.
 * One BinanceClient per base URL, so each host has its own pool, clock and limiter.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Account, AccountStore } from '../accounts/store.js';
import { BinanceClient, type Credentials } from '../binance/client.js';
import type { Config } from '../config.js';
import { configError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Sandbox } from '../sandbox/index.js';

export type EnvironmentName = 'mainnet' | 'testnet' | 'sandbox';
export const envName = (a: Account): EnvironmentName => a.environment.toLowerCase() as EnvironmentName;

export class Hosts {
  private readonly clients = new Map<string, BinanceClient>();
  private sandbox: Promise<Sandbox> | undefined;
  private readonly sandboxKeys = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly accounts: AccountStore,
    private readonly log: Logger,
  ) {}

  /** The running sandbox, started on first use. */
  sandboxInstance(): Promise<Sandbox> {
    if (!this.sandbox) {
      this.sandbox = import('../sandbox/index.js').then(async ({ startSandbox }) => {
        const sb = await startSandbox({ statePath: this.config.sandboxStatePath });
        this.log.info({ url: sb.url }, 'sandbox exchange started on loopback');
        return sb;
      });
      // A failed start (say, an unreadable state file) is tried again on the next call.
      this.sandbox.catch(() => (this.sandbox = undefined));
    }
    return this.sandbox;
  }

  private client(baseUrl: string): BinanceClient {
    let c = this.clients.get(baseUrl);
    if (!c) {
      c = new BinanceClient(baseUrl, { timeoutMs: this.config.timeoutMs });
      this.clients.set(baseUrl, c);
    }
    return c;
  }

  /** Refuses at once an account whose environment serves no margin endpoint (Testnet). */
  assertServesMargin(account: Account): void {
    if (account.environment === 'Testnet')
      throw configError(
        `Account "${account.name}" is on Binance's Spot Testnet, which serves no margin endpoints ` +
          `(/sapi/v1/margin/*): nothing was sent.`,
        'Use a Sandbox account (Environment: Sandbox, or start with --sandbox) to try margin trading without real ' +
          'money.',
      );
  }

  /** The client and credentials for an account; refuses Testnet, which has no margin endpoints. */
  async route(account: Account): Promise<{ client: BinanceClient; creds: Credentials }> {
    this.assertServesMargin(account);
    const creds: Credentials = {
      apiKey: account.apiKey,
      signer: this.accounts.signerFor(account),
      accountKey: account.name,
    };
    switch (account.environment) {
      case 'Mainnet':
        return { client: this.client(this.config.mainnetBaseUrl), creds };
      case 'Testnet':
        throw new Error('unreachable: Testnet was refused above'); // keys never go to another environment's host
      case 'Sandbox': {
        const sb = await this.sandboxInstance();
        if (!this.sandboxKeys.has(account.apiKey)) {
          // The sandbox learns the keys of the Sandbox accounts it serves.
          if (account.signing === 'HMAC') sb.addHmacKey(account.apiKey, account.secret!, account.name);
          else {
            const pem = this.accounts.readPrivateKey(account);
            const key = createPrivateKey(account.passphrase ? { key: pem, passphrase: account.passphrase } : pem);
            sb.addPublicKey(
              account.apiKey,
              createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
              account.name,
            );
          }
          this.sandboxKeys.add(account.apiKey);
        }
        return { client: this.client(sb.url), creds };
      }
    }
  }

  /** Per host: used weights, bans, clock offset (for server_status). */
  status(): Record<string, unknown>[] {
    return [...this.clients.values()].map((c) => ({
      host: c.baseUrl.startsWith('http://127.') ? `${c.baseUrl} (loopback)` : c.baseUrl,
      clockOffsetMs: Math.round(c.clock.offset),
      clockSyncedAt: c.clock.lastSync ? new Date(c.clock.lastSync).toISOString() : null,
      ...c.limiter.snapshot(),
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    if (this.sandbox) await (await this.sandbox).close();
  }
}
