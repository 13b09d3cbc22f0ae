/**
 * The sandbox: a simulated Binance margin exchange on loopback. startSandbox() wires
 * the exchange (exchange.ts, orders.ts) behind Binance's REST protocol (wire.ts,
 * routes/), so that the project's own client talks to it exactly as to Binance.
 * With statePath, the exchange is loaded from that file and saved after every write.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SandboxExchange } from './exchange.js';
import type { PriceMode } from './market.js';
import { registerRoutes } from './routes/index.js';
import { SandboxWire } from './wire.js';

export { SandboxExchange } from './exchange.js';
export { SandboxWire, BinanceReject } from './wire.js';

export interface SandboxOptions {
  /** Seeds ids, generated keys and the price walk (default 1). */
  seed?: number;
  /** A JSON file to load the exchange from at start and save it to. */
  statePath?: string;
  ipWeightLimit?: number;
  uidWeightLimit?: number;
  /** 'fixed' (default): prices move only with setPrice; 'walk': a small seeded random walk. */
  priceMode?: PriceMode;
  /** Depth per price level of the modelled book, in USDT (default 100000): smaller depth, more partial fills. */
  depthUsdt?: string;
  /** Record every request with its headers (tests only; a user's server never sets it). */
  record?: boolean;
}

export interface Sandbox {
  readonly url: string;
  readonly wire: SandboxWire;
  readonly exchange: SandboxExchange;
  /** Registers an HMAC key for an account (the account is created and funded with the demo wallet if new). */
  addHmacKey(apiKey: string, secret: string, accountId?: string): void;
  /** Registers an RSA or Ed25519 public key (PEM) for an account (created and funded if new). */
  addPublicKey(apiKey: string, publicKeyPem: string, accountId?: string): void;
  close(): Promise<void>;
}

export const DEFAULT_ACCOUNT = 'main';

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const wire = new SandboxWire({
    ipWeightLimit: opts.ipWeightLimit,
    uidWeightLimit: opts.uidWeightLimit,
    record: opts.record,
  });
  const saved =
    opts.statePath && existsSync(opts.statePath)
      ? SandboxExchange.deserialize(readFileSync(opts.statePath, 'utf8'))
      : undefined;
  const exchange = new SandboxExchange(
    {
      seed: opts.seed,
      priceMode: opts.priceMode,
      depthUsdt: opts.depthUsdt,
      now: () => wire.now(),
      // Special keys created through the API must sign on the wire at once, and stop when deleted.
      onKeyAdded: (accountId, key) => {
        if (key.secretKey) wire.addKey({ apiKey: key.apiKey, accountId, hmacSecret: key.secretKey });
        else if (key.publicKeyPem) wire.addPublicKey(key.apiKey, accountId, key.publicKeyPem);
      },
      onKeyRemoved: (apiKey) => wire.removeKey(apiKey),
    },
    saved,
  );
  exchange.keys.announceKeys();

  const save = () => {
    if (!opts.statePath) return;
    mkdirSync(dirname(opts.statePath), { recursive: true });
    const tmp = `${opts.statePath}.tmp`;
    writeFileSync(tmp, exchange.serialize(), { mode: 0o600 });
    renameSync(tmp, opts.statePath);
  };
  registerRoutes(wire, exchange, { afterWrite: save });
  const url = await wire.listen(0);

  return {
    url,
    wire,
    exchange,
    addHmacKey(apiKey, secret, accountId = DEFAULT_ACCOUNT) {
      exchange.ensureAccount(accountId);
      wire.addKey({ apiKey, accountId, hmacSecret: secret });
      save();
    },
    addPublicKey(apiKey, publicKeyPem, accountId = DEFAULT_ACCOUNT) {
      exchange.ensureAccount(accountId);
      wire.addPublicKey(apiKey, accountId, publicKeyPem);
      save();
    },
    async close() {
      await wire.close();
      save();
    },
  };
}
