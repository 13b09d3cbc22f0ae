/**
 * The confirmation gate (docs/contract.md §5). The only way to obtain a ClearedAction,
 * and the dispatcher sends a write only for a ClearedAction: a state-changing
 * Mainnet request can reach Binance only through a pending action the user
 * confirmed (by token + "CONFIRM", or through the client's elicitation).
 */
import { randomBytes } from 'node:crypto';
import type { Endpoint, Params } from '../catalog/index.js';
import { isGated } from '../catalog/index.js';
import { confirmationError } from '../errors.js';
import type { EnvironmentName } from './hosts.js';

/** A write, frozen: exactly what will be sent (timestamp and signature come at send time). */
export interface FrozenAction {
  id: string;
  tool: string;
  account: string;
  environment: EnvironmentName;
  endpoint: string;
  params: Params;
  summary: string;
  clientOrderId?: string;
  /** Digest of the account's credentials when it was frozen: a key replaced since refuses it. */
  credentials?: string;
  /**
   * The authenticated client (HTTP mode: the name of its bearer token) that made the
   * call: only the same principal may confirm, list or cancel it. Undefined on stdio,
   * where the one client is the only principal.
   */
  principal?: string;
}

const CLEARED = Symbol('cleared-by-gate');

/**
 * How the user confirmed a write, journaled on its intent line: the confirmation token typed
 * into the chat (`token`), the MCP Apps card's Confirm button (`app`), the client asking the
 * user (`elicitation`, or `input-required` in MCP 2026-07-28), or no confirmation needed
 * (`not-needed`: sandbox or testnet without --confirm-all, listen-key calls).
 */
export type ConfirmedVia = 'token' | 'app' | 'elicitation' | 'input-required' | 'not-needed';
export type ClearedAction = Readonly<FrozenAction> & { readonly confirmedVia: ConfirmedVia; readonly [CLEARED]: true };

/** Runtime proof, checked by the dispatcher: only this module can set the brand. */
export const isCleared = (a: unknown): a is ClearedAction =>
  typeof a === 'object' && a !== null && (a as Record<symbol, unknown>)[CLEARED] === true;

const clear = (a: FrozenAction, confirmedVia: ConfirmedVia): ClearedAction =>
  Object.freeze({ ...a, params: Object.freeze({ ...a.params }), confirmedVia, [CLEARED]: true as const });

interface Pending {
  action: FrozenAction;
  expiresAt: number;
}

export interface PendingView {
  token: string;
  expiresAt: string;
  summary: string;
  action: { account: string; environment: string; endpoint: string; params: Params };
}

export const CONFIRM_WORD = 'CONFIRM';
/** Every path accepts the same text: exactly CONFIRM, surrounding whitespace trimmed. */
export const isConfirmText = (text: string) => text.trim() === CONFIRM_WORD;

export class Gate {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ttlMs: number,
    private readonly confirmAll: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** Mainnet writes need the user's CONFIRM; so does every write with --confirm-all. Listen-key calls never do. */
  needsConfirmation(endpoint: Endpoint, environment: EnvironmentName): boolean {
    if (!isGated(endpoint)) return false;
    return environment === 'mainnet' || this.confirmAll;
  }

  /** Clears a write that needs no confirmation; refuses one that does. */
  clearUngated(endpoint: Endpoint, action: FrozenAction): ClearedAction {
    if (this.needsConfirmation(endpoint, action.environment))
      throw confirmationError('This action needs the user’s confirmation.');
    return clear(action, 'not-needed');
  }

  /** Clears a write the user confirmed when the client asked them (elicitation, or in-band in 2026-07-28). */
  clearConfirmedByUser(action: FrozenAction, typed: string, via: 'elicitation' | 'input-required'): ClearedAction {
    if (!isConfirmText(typed)) throw confirmationError('The user did not type CONFIRM; nothing was executed.');
    return clear(action, via);
  }

  /** Stores the action under an unguessable token (192 random bits). */
  issue(action: FrozenAction): { token: string; expiresAt: string } {
    this.sweep();
    const token = `pa_${randomBytes(24).toString('base64url')}`;
    const expiresAt = this.now() + this.ttlMs;
    this.pending.set(token, { action: structuredClone(action), expiresAt });
    return { token, expiresAt: new Date(expiresAt).toISOString() };
  }

  /**
   * Redeems a token with the user's text. Wrong text: refused, the token stays
   * usable. Unknown, used or expired token: refused. CONFIRM: the token is used up
   * and the frozen action is cleared, exactly as it was stored.
   */
  redeem(token: string, confirmation: string, principal?: string, via: 'token' | 'app' = 'token'): ClearedAction {
    const entry = this.pending.get(token); // 192 random bits: a plain lookup cannot be guessed into
    if (!entry)
      throw confirmationError(
        'Unknown, used or expired confirmation token; nothing was executed.',
        'Call the tool again to get a new token.',
      );
    // Another authenticated client: refused, and the token stays usable by the one it was issued to.
    if (entry.action.principal !== principal)
      throw confirmationError(
        'This confirmation token was issued to another client; nothing was executed.',
        'Only the client that made the call can confirm it.',
      );
    if (entry.expiresAt <= this.now()) {
      this.pending.delete(token);
      throw confirmationError(
        'This confirmation token has expired; nothing was executed.',
        'Call the tool again to get a new token.',
      );
    }
    if (!isConfirmText(confirmation))
      throw confirmationError(
        'The confirmation must be exactly the word CONFIRM, typed by the user; nothing was executed. The token is ' +
          'still valid until it expires.',
      );
    this.pending.delete(token);
    return clear(entry.action, via);
  }

  /** Drops a pending action of this principal (another principal's token is left alone). */
  cancel(token: string, principal?: string): FrozenAction | undefined {
    const entry = this.pending.get(token);
    if (!entry || entry.action.principal !== principal) return undefined;
    this.pending.delete(token);
    return entry.action;
  }

  /** The pending actions of this principal. */
  list(principal?: string): PendingView[] {
    this.sweep();
    return [...this.pending.entries()]
      .filter(([, p]) => p.action.principal === principal)
      .map(([token, p]) => ({
        token,
        expiresAt: new Date(p.expiresAt).toISOString(),
        summary: p.action.summary,
        action: {
          account: p.action.account,
          environment: p.action.environment,
          endpoint: p.action.endpoint,
          params: p.action.params,
        },
      }));
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(k);
  }
}
