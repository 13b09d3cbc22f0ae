/**
 * The straight path of every endpoint tool call, top to bottom:
 *
 *   validated arguments → account resolution → prepare (cross-field rules, client ids)
 *   → read-only / environment checks → rails (kill switch, limits: to refuse fast and
 *   value the preview) → confirmation gate → execute → result envelope
 *
 * `execute` is the one enforcement point every write passes, whichever way it was
 * confirmed (token, elicitation, --confirm-all, or no gate on Sandbox): under the
 * account's lock, held across processes that share the state directory, it re-reads
 * the account, checks the kill switch, every limit and the daily cap, journals the
 * intent and dispatches. Nothing else sends a write.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { inputRequired, type CallToolResult, type InputRequiredResult } from '@modelcontextprotocol/server';
import { keepOneTimeSecret } from '../accounts/one-time-secrets.js';
import { credentialFingerprint, type Account, type AccountStore } from '../accounts/store.js';
import { endpointId, findEndpoint, type Endpoint, type Params } from '../catalog/index.js';
import { safetyRead, type SafetyRead } from '../catalog/reads.js';
import type { Config } from '../config.js';
import { configError, confirmationError, ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { withFileLock } from '../safety/file-lock.js';
import type { Journal, JournalEntry } from '../safety/journal.js';
import { linkConfirmationCard } from '../apps/meta.js';
import { buildPreview, freeBalance, type Preview } from '../safety/preview.js';
import type { Market, Rails, Verdict } from '../safety/rails.js';
import { redactor } from '../safety/redact.js';
import { fail, ok } from '../tools/envelope.js';
import type { Dispatcher } from './dispatch.js';
import { isConfirmText, CONFIRM_WORD, type ClearedAction, type FrozenAction, type Gate } from './gate.js';
import { envName, type Hosts } from './hosts.js';
import { prepare } from './prepare.js';
import type { SealedState } from './sealed-state.js';

/** What the pipeline needs from the MCP session that made the call. */
export interface Session {
  /** True when the client declared the elicitation capability. */
  canElicit(): boolean;
  /** Asks the user; resolves with what they typed, or null when they declined or cancelled. Throws on error or timeout. */
  askUser(message: string): Promise<string | null>;
  /** True on a 2026-07-28 request whose client declared elicitation: the gate can ask in-band (`input_required`). */
  canAskInBand?(): boolean;
  /** A retried 2026-07-28 round: the sealed request state it echoes and what the user typed (null: declined, cancelled or no answer). */
  resumed?(): { state: string; typed: string | null } | undefined;
  /** True when the client declared the MCP Apps extension (it renders ui:// views): only then does the card's Confirm tool answer (src/apps). */
  rendersApps?(): boolean;
  /** The authenticated client (HTTP mode: its token's name); pending actions are bound to it. Undefined on stdio. */
  principal?: string;
}

export interface PipelineDeps {
  config: Config;
  accounts: AccountStore;
  hosts: Hosts;
  gate: Gate;
  rails: Rails;
  journal: Journal;
  dispatcher: Dispatcher;
  log: Logger;
  /** Seals the request state of 2026-07-28 confirmation rounds. */
  sealed: SealedState;
}

export class Pipeline {
  constructor(private readonly d: PipelineDeps) {}

  async callEndpoint(endpoint: Endpoint, args: Record<string, unknown>, session: Session): Promise<CallToolResult | InputRequiredResult> {
    const { account: accountName, ...rawParams } = args as { account?: string } & Record<string, unknown>;
    try {
      const account = this.d.accounts.resolve(accountName);
      this.d.hosts.assertServesMargin(account);
      const { params, clientOrderId } = this.prepareOrJournal(endpoint, rawParams, account);
      if (endpoint.write && this.d.config.readOnly) throw configError(`${endpoint.name} changes account state and the server runs read-only (--read-only); nothing was sent.`);

      if (!endpoint.write) {
        const res = await this.d.dispatcher.read(account, endpoint, params);
        return this.success(account, endpoint, res.data);
      }

      const frozen: FrozenAction = {
        id: randomUUID(),
        tool: endpoint.name,
        account: account.name,
        environment: envName(account),
        endpoint: endpointId(endpoint),
        params,
        clientOrderId,
        summary: endpoint.summary(params, { where: `on ${account.name} (${account.environment})` }),
        credentials: credentialFingerprint(account),
        ...(session.principal !== undefined ? { principal: session.principal } : {}),
      };
      // One market memo per call: the early check, the preview and an ungated
      // execution read each price (and balance) once.
      const market = this.market(account);
      await this.checkRails(account, endpoint, frozen, market);

      if (!this.d.gate.needsConfirmation(endpoint, frozen.environment)) return await this.execute(endpoint, this.d.gate.clearUngated(endpoint, frozen), market);
      return await this.askForConfirmation(endpoint, frozen, session, market);
    } catch (err) {
      return this.failure(err, endpoint);
    }
  }

  /** confirm_action: the token's frozen request, exactly, once. */
  async confirm(token: string, confirmation: string, principal?: string): Promise<CallToolResult> {
    let endpoint: Endpoint | undefined;
    try {
      const cleared = this.d.gate.redeem(token, confirmation, principal);
      endpoint = findEndpoint(cleared.tool)!;
      return await this.execute(endpoint, cleared);
    } catch (err) {
      return this.failure(err, endpoint);
    }
  }

  /**
   * The one enforcement point of every write. The account is read again (TOOLS.md may
   * have changed while the user was deciding), and a write that adds risk is checked
   * against the kill switch, every limit and the daily cap inside the account's
   * cross-process lock, where its intent is journaled and it is dispatched: two
   * calls, or two server processes, cannot both fit in the last room under a cap.
   * Cancels and repays only reduce risk: they pass the kill switch and wait for no lock.
   */
  async execute(endpoint: Endpoint, cleared: ClearedAction, market?: Market): Promise<CallToolResult> {
    const account = this.d.accounts.resolve(cleared.account);
    const changed =
      envName(account) !== cleared.environment
        ? configError(`Account "${account.name}" changed environment since the action was frozen; nothing was sent.`)
        : cleared.credentials !== undefined && cleared.credentials !== credentialFingerprint(account)
          ? configError(`The credentials of account "${account.name}" changed since the action was confirmed; nothing was sent.`, 'Call the tool again, so that the user confirms it for the new key.')
          : undefined;
    if (changed) {
      this.journalRefused(endpoint, account, cleared.params, changed, cleared);
      throw changed;
    }
    const send = async () => {
      const verdict = await this.checkRails(account, endpoint, cleared, market ?? this.market(account));
      return this.d.dispatcher.write(account, endpoint, cleared, verdict.dailyUsdt);
    };
    const outcome = endpoint.reducesRisk?.(cleared.params)
      ? await send()
      : await withFileLock(join(this.d.config.stateDir, 'locks', `${account.name}.lock`), send, { what: `${endpoint.name} on ${account.name}` });
    const data = keepOneTimeSecret(endpoint, account.name, outcome.data, this.d.config.stateDir, this.d.log);
    return this.success(account, endpoint, data, outcome.reconciled);
  }

  /**
   * Settles writes whose outcome the journal does not know (the server died, or Binance
   * never answered): each placement is looked up by its client id, never re-sent. Found:
   * a `result` line (it executed). Not found, and older than a minute: a `not_found`
   * result (it never executed, and stops counting toward the daily cap). Other writes
   * (borrows, settings) cannot be looked up by id and stay listed for the user to check.
   */
  async reconcileUnresolved(minAgeMs = 60_000): Promise<{ id: string; tool: string; account: string; clientOrderId?: string; outcome: 'executed' | 'not_found' | 'still_unknown' }[]> {
    const report = [];
    for (const intent of this.d.journal.unresolved()) {
      if (this.d.dispatcher.isInFlight(intent.id)) continue;
      const endpoint = findEndpoint(intent.tool);
      const account = this.d.accounts.list().find((a) => a.name === intent.account);
      let outcome: 'executed' | 'not_found' | 'still_unknown' = 'still_unknown';
      if (endpoint?.reconcile && account && envName(account) === intent.environment) {
        try {
          const found = await this.d.dispatcher.lookup(account, endpoint, intent.params as Params);
          if (found !== undefined) {
            this.d.journal.append({ ...pendingView(intent), phase: 'result', status: 'ok', reconciled: true, orderId: (found as { orderId?: number; orderListId?: number }).orderId ?? (found as { orderListId?: number }).orderListId });
            outcome = 'executed';
          }
        } catch (err) {
          const notFound = err instanceof ToolError && err.kind === 'binance' && (err.code === -2013 || err.code === -2011);
          if (notFound && Date.now() - Date.parse(intent.time) > minAgeMs) {
            this.d.journal.append({ ...pendingView(intent), phase: 'result', status: 'not_found', reason: 'not found by its client id: it never executed' });
            outcome = 'not_found';
          }
        }
      }
      report.push({ id: intent.id, tool: intent.tool, account: intent.account, ...(intent.clientOrderId ? { clientOrderId: intent.clientOrderId } : {}), outcome });
    }
    return report;
  }

  /**
   * The retried round of a 2026-07-28 confirmation: the sealed action, exactly, once,
   * when the user typed CONFIRM. The retried call's own arguments only name the
   * account the state must be bound to; what executes is what was sealed.
   */
  async confirmSealed(endpoint: Endpoint, args: Record<string, unknown>, state: string, typed: string | null, principal?: string): Promise<CallToolResult> {
    try {
      const account = this.d.accounts.resolve(typeof args.account === 'string' ? args.account : undefined);
      const frozen = this.d.sealed.open(state, { tool: endpoint.name, account: account.name, environment: envName(account), principal });
      if (typed === null || !isConfirmText(typed)) {
        this.d.journal.append({ ...pendingView(frozen), phase: 'refused', reason: typed === null ? 'user declined' : 'user did not type CONFIRM' });
        throw confirmationError(typed === null ? 'The user declined; nothing was executed.' : 'The user did not type CONFIRM; nothing was executed.');
      }
      // execute() checks everything again, with fresh prices, at the one enforcement point.
      return await this.execute(endpoint, this.d.gate.clearConfirmedByUser(frozen, typed));
    } catch (err) {
      return this.failure(err, endpoint);
    }
  }

  /** Arguments that failed the tool's input schema: refused like every validation failure; a write is journaled. */
  refuseArguments(endpoint: Endpoint, args: Record<string, unknown>, err: ToolError): CallToolResult {
    const { account: name, ...params } = args;
    if (endpoint.write && (name === undefined || typeof name === 'string')) {
      try {
        this.journalRefused(endpoint, this.d.accounts.resolve(name), params, err);
      } catch {
        // An unknown account: there is nothing to journal the refusal under.
      }
    }
    return this.failure(err, endpoint);
  }

  private prepareOrJournal(endpoint: Endpoint, raw: Record<string, unknown>, account: Account) {
    try {
      return prepare(endpoint, raw);
    } catch (err) {
      if (endpoint.write) this.journalRefused(endpoint, account, raw, err);
      throw err;
    }
  }

  private async checkRails(account: Account, endpoint: Endpoint, action: FrozenAction, market: Market): Promise<Verdict> {
    try {
      return await this.d.rails.check(account, endpoint, action.params, market);
    } catch (err) {
      this.journalRefused(endpoint, account, action.params, err, action);
      throw err;
    }
  }

  private async askForConfirmation(endpoint: Endpoint, frozen: FrozenAction, session: Session, market: Market): Promise<CallToolResult | InputRequiredResult> {
    const { preview, phrase } = await this.preview(endpoint, frozen.params, market);
    if (phrase) frozen.summary = `${frozen.summary} (${phrase})`;
    const channel = this.confirmationChannel(session);
    const base = pendingView(frozen);

    if (channel === 'input-required') return this.askInBand(frozen);

    if (channel === 'elicitation') {
      this.d.journal.append({ ...base, phase: 'pending', reason: 'elicitation' });
      let typed: string | null;
      try {
        typed = await session.askUser(`${frozen.summary}.\n\nType ${CONFIRM_WORD} to execute it. Anything else cancels.`);
      } catch (err) {
        // Fail closed: no execution, and no token instead.
        this.d.journal.append({ ...base, phase: 'refused', reason: `elicitation failed: ${(err as Error).message}` });
        throw confirmationError(`The confirmation request to the user failed (${(err as Error).message}); nothing was executed and no token was issued.`);
      }
      if (typed === null || !isConfirmText(typed)) {
        this.d.journal.append({ ...base, phase: 'refused', reason: typed === null ? 'user declined' : 'user did not type CONFIRM' });
        throw confirmationError(typed === null ? 'The user declined; nothing was executed.' : 'The user did not type CONFIRM; nothing was executed.');
      }
      // The dialog may have lasted: execute() checks everything again, with fresh prices.
      return this.execute(endpoint, this.d.gate.clearConfirmedByUser(frozen, typed));
    }

    const { token, expiresAt } = this.d.gate.issue(frozen);
    this.d.journal.append({ ...base, phase: 'pending' });
    // The MCP Apps confirmation card renders this result (src/apps).
    return linkConfirmationCard(ok({
      status: 'confirmation_required',
      token,
      expiresAt,
      action: { account: frozen.account, environment: frozen.environment, endpoint: frozen.endpoint, params: frozen.params },
      summary: frozen.summary,
      preview,
      instructions: `Show the summary to the user and ask them to type ${CONFIRM_WORD}. Only then call confirm_action with this token and confirmation "${CONFIRM_WORD}".`,
    }));
  }

  /**
   * 2026-07-28 first round: the user is asked in-band (an `input_required` result
   * with a form), the frozen action sealed into the request state; the client's
   * retried round comes back through confirmSealed.
   */
  private askInBand(frozen: FrozenAction): InputRequiredResult {
    const requestState = this.d.sealed.seal(frozen, Date.now() + this.d.config.confirmTtlSeconds * 1000);
    this.d.journal.append({ ...pendingView(frozen), phase: 'pending', reason: 'input_required' });
    return inputRequired({
      inputRequests: { confirm: inputRequired.elicit({ message: `${frozen.summary}.\n\nType ${CONFIRM_WORD} to execute it. Anything else cancels.`, requestedSchema: CONFIRM_SCHEMA }) },
      requestState,
    });
  }

  /**
   * How this client is asked: token (confirm_action), elicitation (2025 clients that
   * declare it) or input-required (2026-07-28 clients that declare elicitation).
   * Every channel ends in execute() with a ClearedAction from the gate.
   */
  private confirmationChannel(session: Session): 'token' | 'elicitation' | 'input-required' {
    const mode = this.d.config.confirmVia;
    if (mode === 'token') return 'token';
    const inBand = !!session.canAskInBand?.();
    const channel = inBand ? 'input-required' : session.canElicit() ? 'elicitation' : 'token';
    if (mode === 'auto') return channel;
    if (mode === 'input-required' ? channel !== 'input-required' : channel === 'token')
      throw configError(
        mode === 'input-required'
          ? 'The server is set to confirm through MCP 2026-07-28 input_required requests (--confirm-via input-required) and this client cannot answer them; nothing was sent.'
          : 'The server is set to confirm through elicitation (--confirm-via elicitation) and this client does not support it; nothing was sent.',
        'Use a client with elicitation, or start the server with --confirm-via token.',
      );
    return channel;
  }

  private async preview(endpoint: Endpoint, params: Params, market: Market): Promise<{ preview: Preview; phrase: string }> {
    try {
      return await buildPreview(endpoint, params, market.read, market);
    } catch (err) {
      return { preview: { unavailable: [`preview (${(err as Error).message})`] }, phrase: '' };
    }
  }

  /** A catalog read on behalf of the rails or the preview, by its role. */
  private async readFor(account: Account, role: SafetyRead, params: Params): Promise<unknown> {
    return (await this.d.dispatcher.read(account, safetyRead(role), params)).data;
  }

  /** Price-index, balance and account reads, memoised for one call. */
  private market(account: Account): Market {
    const memo = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) memo.set(key, (p = read()));
      return p;
    };
    const read = (role: SafetyRead, p: Params) => once(`${role}:${JSON.stringify(p)}`, () => this.readFor(account, role, p));
    return {
      read,
      index: (symbol) =>
        once(`index:${symbol}`, async () => {
          const price = ((await read('priceIndex', { symbol })) as { price?: unknown }).price;
          if (price === undefined || price === null) throw new Error(`no price index for ${symbol}`);
          return String(price);
        }),
      free: (asset, isolatedSymbol) => freeBalance(read, asset, isolatedSymbol),
    };
  }

  private success(account: Account, endpoint: Endpoint, data: unknown, reconciled?: boolean): CallToolResult {
    this.d.log[endpoint.write ? 'info' : 'debug']({ tool: endpoint.name, account: account.name, environment: account.environment, reconciled }, 'tool call succeeded');
    const masked = endpoint.credentialFields ? maskFields(data, endpoint.credentialFields) : data;
    return ok({ account: account.name, environment: envName(account), endpoint: endpointId(endpoint), data: masked, ...(reconciled ? { reconciled: true } : {}) });
  }

  private failure(err: unknown, endpoint?: Endpoint): CallToolResult {
    if (endpoint?.retired && err instanceof ToolError && err.kind === 'binance')
      return fail(new ToolError('binance', `${endpoint.retired} (Binance answered: ${err.message})`, { ...err.fields, hint: 'This endpoint is retired; do not retry it.' }));
    if (err instanceof ToolError) this.d.log.warn({ tool: endpoint?.name, kind: err.kind, code: err.code, message: err.message }, 'tool call failed');
    else this.d.log.error({ err: redactor.scrubText(String((err as Error)?.stack ?? err)) }, 'unexpected error in a tool call');
    return fail(err);
  }

  private journalRefused(endpoint: Endpoint, account: Account, params: Record<string, unknown>, err: unknown, action?: FrozenAction): void {
    if (!endpoint.write) return;
    this.d.journal.append({
      id: action?.id ?? randomUUID(),
      phase: 'refused',
      account: account.name,
      environment: envName(account),
      endpoint: endpointId(endpoint),
      tool: endpoint.name,
      params,
      clientOrderId: action?.clientOrderId,
      summary: action?.summary,
      client: action?.principal,
      reason: err instanceof Error ? err.message : String(err),
    });
  }
}

/** The form the user answers at an elicitation or in-band confirmation. */
const CONFIRM_SCHEMA = {
  type: 'object' as const,
  properties: { confirmation: { type: 'string' as const, title: 'Confirmation', description: `Type ${CONFIRM_WORD} to execute` } },
  required: ['confirmation'],
};

/** What the journal records of a frozen action (or of an earlier intent, when it is settled). */
const pendingView = (frozen: Pick<JournalEntry, 'id' | 'account' | 'environment' | 'endpoint' | 'tool' | 'params' | 'clientOrderId' | 'summary' | 'client'> & { principal?: string }) => ({
  id: frozen.id,
  account: frozen.account,
  environment: frozen.environment,
  endpoint: frozen.endpoint,
  tool: frozen.tool,
  params: frozen.params,
  clientOrderId: frozen.clientOrderId,
  summary: frozen.summary,
  client: frozen.principal ?? frozen.client,
});

/** Masks credential fields Binance returns (special keys), at any depth. */
function maskFields(data: unknown, fields: string[]): unknown {
  if (Array.isArray(data)) return data.map((d) => maskFields(d, fields));
  if (data && typeof data === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) out[k] = fields.includes(k) && typeof v === 'string' ? redactor.scrub({ [k]: v })[k] : maskFields(v, fields);
    return out;
  }
  return data;
}
