/**
 * What the pipeline needs from the MCP session that made a call, and how that client is
 * asked to confirm a write: every way ends at the same enforcement point.
 */
import type { Config } from '../config.js';
import { configError } from '../errors.js';

/** What the pipeline needs from the MCP session that made the call. */
export interface Session {
  /** True when the client declared the elicitation capability. */
  canElicit(): boolean;
  /**
   * Asks the user; resolves with what they typed, or null when they declined or cancelled. Throws on error or timeout.
   */
  askUser(message: string): Promise<string | null>;
  /** True on a 2026-07-28 request whose client declared elicitation: the gate can ask in-band (`input_required`). */
  canAskInBand?(): boolean;
  /**
   * A retried 2026-07-28 round: the sealed request state it echoes and what the user typed (null: declined, cancelled
   * or no answer).
   */
  resumed?(): { state: string; typed: string | null } | undefined;
  /**
   * True when the client declared the MCP Apps extension (it renders ui:// views): only then does the card's Confirm
   * tool answer (src/apps).
   */
  rendersApps?(): boolean;
  /** The authenticated client (HTTP mode: its token's name); pending actions are bound to it. Undefined on stdio. */
  principal?: string;
}

/**
 * How this client is asked: token (confirm_action), elicitation (2025 clients that
 * declare it) or input-required (2026-07-28 clients that declare elicitation).
 * Every channel ends in execute() with a ClearedAction from the gate.
 */
export function confirmationChannel(
  mode: Config['confirmVia'],
  session: Session,
): 'token' | 'elicitation' | 'input-required' {
  if (mode === 'token') return 'token';
  const inBand = !!session.canAskInBand?.();
  const channel = inBand ? 'input-required' : session.canElicit() ? 'elicitation' : 'token';
  if (mode === 'auto') return channel;
  if (mode === 'input-required' ? channel !== 'input-required' : channel === 'token')
    throw configError(
      mode === 'input-required'
        ? 'The server is set to confirm through MCP 2026-07-28 input_required requests (--confirm-via ' +
            'input-required) and this client cannot answer them; nothing was sent.'
        : 'The server is set to confirm through elicitation (--confirm-via elicitation) and this client does not ' +
            'support it; nothing was sent.',
      'Use a client with elicitation, or start the server with --confirm-via token.',
    );
  return channel;
}
