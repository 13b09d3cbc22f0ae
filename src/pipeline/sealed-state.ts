/**
 * The request state of a 2026-07-28 confirmation round (MCP multi-round-trip
 * requests, `input_required`).
 *
 * The first round of a gated write answers `input_required`: an in-band elicitation
 * asking the user for CONFIRM, and `requestState`, which the client echoes back on
 * the retried call. That state travels through the client, so it is sealed here:
 * AES-256-GCM under a key that never leaves this process, over the frozen action,
 * its expiry and the account and environment it is bound to. Opening it checks, in
 * this order, that it is intact (an altered or foreign state fails the tag), that it
 * has not expired, and that it was not used before (each seal's nonce is kept until
 * it is opened once or expires: a replayed state finds none); the nonce is then used
 * up, and the tool, account and environment the retried call names must be the ones
 * sealed. Any failure refuses with kind `confirmation`; nothing executes.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { confirmationError } from '../errors.js';
import type { FrozenAction } from './gate.js';

const PREFIX = 'bmm1';
const AAD = Buffer.from('binance-margin-mcp/sealed-request-state/v1');

/** What the retried call must agree with. */
export interface SealBinding {
  tool: string;
  account: string;
  environment: string;
  /** The authenticated client of the retried call (HTTP mode); must be the one that made the first round. */
  principal?: string;
}

interface Payload {
  /** Single-use nonce. */
  n: string;
  /** Expiry, ms since the epoch. */
  exp: number;
  a: FrozenAction;
}

export class SealedState {
  private readonly key: Buffer;
  private readonly now: () => number;
  /** Nonces of states not yet opened → their expiry. */
  private readonly outstanding = new Map<string, number>();

  constructor(opts: { key?: Buffer; now?: () => number } = {}) {
    this.key = opts.key ?? randomBytes(32);
    if (this.key.length !== 32) throw new Error('The sealing key must be 32 bytes.');
    this.now = opts.now ?? Date.now;
  }

  /** Seals the frozen action until `expiresAt` (ms since the epoch). */
  seal(action: FrozenAction, expiresAt: number): string {
    this.sweep();
    const nonce = randomBytes(16).toString('base64url');
    const payload: Payload = { n: nonce, exp: expiresAt, a: action };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    this.outstanding.set(nonce, expiresAt);
    return [
      PREFIX,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  /** Opens a state once: the frozen action exactly as sealed, or a refusal. */
  open(state: string, expect: SealBinding): FrozenAction {
    const payload = this.decrypt(state);
    if (payload.exp <= this.now()) {
      this.outstanding.delete(payload.n);
      throw confirmationError(
        'This confirmation request has expired; nothing was executed.',
        'Call the tool again to be asked anew.',
      );
    }
    // Before the nonce is used up: another client cannot spend the state of this one.
    if (payload.a.principal !== expect.principal)
      throw confirmationError('This confirmation request was made by another client; nothing was executed.');
    if (!this.outstanding.delete(payload.n))
      throw confirmationError(
        'This confirmation request was already answered; nothing was executed.',
        'Call the tool again to be asked anew.',
      );
    const a = payload.a;
    if (a.tool !== expect.tool || a.account !== expect.account || a.environment !== expect.environment)
      throw confirmationError(
        `This confirmation request was made for ${a.tool} on ${a.account} (${a.environment}), not for ` +
          `${expect.tool} on ${expect.account} (${expect.environment}); nothing was executed.`,
      );
    return a;
  }

  /** States sealed and not yet opened or expired. */
  get size(): number {
    this.sweep();
    return this.outstanding.size;
  }

  private decrypt(state: string): Payload {
    const invalid = () =>
      confirmationError(
        'The confirmation request state is invalid or was altered; nothing was executed.',
        'Call the tool again to be asked anew.',
      );
    const parts = typeof state === 'string' ? state.split('.') : [];
    if (parts.length !== 4 || parts[0] !== PREFIX) throw invalid();
    try {
      const iv = Buffer.from(parts[1], 'base64url');
      const body = Buffer.from(parts[2], 'base64url');
      const tag = Buffer.from(parts[3], 'base64url');
      if (iv.length !== 12 || tag.length !== 16) throw invalid();
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: 16 });
      decipher.setAAD(AAD);
      decipher.setAuthTag(tag);
      const text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      const payload = JSON.parse(text) as Payload;
      if (typeof payload?.n !== 'string' || typeof payload.exp !== 'number' || typeof payload.a?.tool !== 'string')
        throw invalid();
      return payload;
    } catch {
      throw invalid();
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [n, exp] of this.outstanding) if (exp <= now) this.outstanding.delete(n);
  }
}
