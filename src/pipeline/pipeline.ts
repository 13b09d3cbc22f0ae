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
import { safetyRead } from '../catalog/reads.js';
import type { Config } from '../config.js';
import { configError, confirmationError, ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import { withFileLock } from '../safety/file-lock.js';
import type { Journal } from '../safety/journal.js';
import { linkConfirmationCard } from '../apps/meta.js';
import { buildPreview, type Preview } from '../safety/preview.js';
import type { Market, Rails, Verdict } from '../safety/rails.js';
import { redactor } from '../safety/redact.js';
import { fail, ok } from '../tools/envelope.js';
import type { Dispatcher } from './dispatch.js';
import { isConfirmText, CONFIRM_WORD, type ClearedAction, type FrozenAction, type Gate } from './gate.js';
import { envName, type Hosts } from './hosts.js';
import { CONFIRM_SCHEMA, journalView, maskFields } from './journal-view.js';
import { confirmationChannel, type Session } from './session.js';
import { callMarket } from './market.js';
import { prepare } from './prepare.js';
import { type ReconcileReport, reconcileUnresolved } from './reconcile.js';
import type { SealedState } from './sealed-state.js';

export type { Session } from './session.js';

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

  async callEndpoint(
    endpoint: Endpoint,
    args: Record<string, unknown>,
    session: Session,
  ): Promise<CallToolResult | InputRequiredResult> {
    const { account: accountName, ...rawParams } = args as { account?: string } & Record<string, unknown>;
    try {
      const account = this.d.accounts.resolve(accountName, { fresh: endpoint.write });
      this.d.hosts.assertServesMargin(account);
      const { params, clientOrderId } = this.prepareOrJournal(endpoint, rawParams, account);
      if (endpoint.write && this.d.config.readOnly)
        throw configError(
          `${endpoint.name} changes account state and the server runs read-only (--read-only); nothing was sent.`,
        );

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

      if (!this.d.gate.needsConfirmation(endpoint, frozen.environment))
        return await this.execute(endpoint, this.d.gate.clearUngated(endpoint, frozen), market);
      return await this.askForConfirmation(endpoint, frozen, session, market);
    } catch (err) {
      return this.failure(err, endpoint);
    }
  }

  /** confirm_action (or the Apps card's Confirm, `via: 'app'`): the token's frozen request, exactly, once. */
  async confirm(
    token: string,
    confirmation: string,
    principal?: string,
    via: 'token' | 'app' = 'token',
  ): Promise<CallToolResult> {
    let endpoint: Endpoint | undefined;
    try {
      const cleared = this.d.gate.redeem(token, confirmation, principal, via);
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
    const account = this.d.accounts.resolve(cleared.account, { fresh: true });
    const changed =
      envName(account) !== cleared.environment
        ? configError(`Account "${account.name}" changed environment since the action was frozen; nothing was sent.`)
        : cleared.credentials !== undefined && cleared.credentials !== credentialFingerprint(account)
          ? configError(
              `The credentials of account "${account.name}" changed since the action was confirmed; nothing was sent.`,
              'Call the tool again, so that the user confirms it for the new key.',
            )
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
      : await withFileLock(join(this.d.config.stateDir, 'locks', `${account.name}.lock`), send, {
          what: `${endpoint.name} on ${account.name}`,
        });
    const data = keepOneTimeSecret(endpoint, account.name, outcome.data, this.d.config.stateDir, this.d.log);
    return this.success(account, endpoint, data, outcome.reconciled);
  }

  /** Settles writes whose outcome the journal does not know (pipeline/reconcile.ts); never re-sends. */
  reconcileUnresolved(minAgeMs = 60_000): Promise<ReconcileReport[]> {
    return reconcileUnresolved(this.d, minAgeMs);
  }

  /**
   * The retried round of a 2026-07-28 confirmation: the sealed action, exactly, once,
   * when the user typed CONFIRM. The retried call's own arguments only name the
   * account the state must be bound to; what executes is what was sealed.
   */
  async confirmSealed(
    endpoint: Endpoint,
    args: Record<string, unknown>,
    state: string,
    typed: string | null,
    principal?: string,
  ): Promise<CallToolResult> {
    try {
      const name = typeof args.account === 'string' ? args.account : undefined;
      const account = this.d.accounts.resolve(name, { fresh: true });
      const frozen = this.d.sealed.open(state, {
        tool: endpoint.name,
        account: account.name,
        environment: envName(account),
        principal,
      });
      if (typed === null || !isConfirmText(typed)) {
        this.d.journal.append({
          ...journalView(frozen),
          phase: 'refused',
          reason: typed === null ? 'user declined' : 'user did not type CONFIRM',
        });
        throw confirmationError(
          typed === null
            ? 'The user declined; nothing was executed.'
            : 'The user did not type CONFIRM; nothing was executed.',
        );
      }
      // execute() checks everything again, with fresh prices, at the one enforcement point.
      return await this.execute(endpoint, this.d.gate.clearConfirmedByUser(frozen, typed, 'input-required'));
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

  private async checkRails(
    account: Account,
    endpoint: Endpoint,
    action: FrozenAction,
    market: Market,
  ): Promise<Verdict> {
    try {
      return await this.d.rails.check(account, endpoint, action.params, market);
    } catch (err) {
      this.journalRefused(endpoint, account, action.params, err, action);
      throw err;
    }
  }

  private async askForConfirmation(
    endpoint: Endpoint,
    frozen: FrozenAction,
    session: Session,
    market: Market,
  ): Promise<CallToolResult | InputRequiredResult> {
    const { preview, phrase } = await this.preview(endpoint, frozen.params, market);
    if (phrase) frozen.summary = `${frozen.summary} (${phrase})`;
    const channel = confirmationChannel(this.d.config.confirmVia, session);
    const base = journalView(frozen);

    if (channel === 'input-required') return this.askInBand(frozen);

    if (channel === 'elicitation') {
      this.d.journal.append({ ...base, phase: 'pending', reason: 'elicitation' });
      let typed: string | null;
      try {
        typed = await session.askUser(
          `${frozen.summary}.\n\nType ${CONFIRM_WORD} to execute it. Anything else cancels.`,
        );
      } catch (err) {
        // Fail closed: no execution, and no token instead.
        this.d.journal.append({ ...base, phase: 'refused', reason: `elicitation failed: ${(err as Error).message}` });
        throw confirmationError(
          `The confirmation request to the user failed (${(err as Error).message}); nothing was executed and no ` +
            `token was issued.`,
        );
      }
      if (typed === null || !isConfirmText(typed)) {
        this.d.journal.append({
          ...base,
          phase: 'refused',
          reason: typed === null ? 'user declined' : 'user did not type CONFIRM',
        });
        throw confirmationError(
          typed === null
            ? 'The user declined; nothing was executed.'
            : 'The user did not type CONFIRM; nothing was executed.',
        );
      }
      // The dialog may have lasted: execute() checks everything again, with fresh prices.
      return this.execute(endpoint, this.d.gate.clearConfirmedByUser(frozen, typed, 'elicitation'));
    }

    const { token, expiresAt } = this.d.gate.issue(frozen);
    this.d.journal.append({ ...base, phase: 'pending' });
    // The MCP Apps confirmation card renders this result (src/apps).
    return linkConfirmationCard(
      ok({
        status: 'confirmation_required',
        token,
        expiresAt,
        action: {
          account: frozen.account,
          environment: frozen.environment,
          endpoint: frozen.endpoint,
          params: frozen.params,
        },
        summary: frozen.summary,
        preview,
        instructions:
          `Show the summary to the user and ask them to type ${CONFIRM_WORD}. Only then call ` +
          `confirm_action with this token and confirmation "${CONFIRM_WORD}".`,
      }),
    );
  }

  /**
   * 2026-07-28 first round: the user is asked in-band (an `input_required` result
   * with a form), the frozen action sealed into the request state; the client's
   * retried round comes back through confirmSealed.
   */
  private askInBand(frozen: FrozenAction): InputRequiredResult {
    const requestState = this.d.sealed.seal(frozen, Date.now() + this.d.config.confirmTtlSeconds * 1000);
    this.d.journal.append({ ...journalView(frozen), phase: 'pending', reason: 'input_required' });
    return inputRequired({
      inputRequests: {
        confirm: inputRequired.elicit({
          message: `${frozen.summary}.\n\nType ${CONFIRM_WORD} to execute it. Anything else cancels.`,
          requestedSchema: CONFIRM_SCHEMA,
        }),
      },
      requestState,
    });
  }

  private async preview(
    endpoint: Endpoint,
    params: Params,
    market: Market,
  ): Promise<{ preview: Preview; phrase: string }> {
    try {
      return await buildPreview(endpoint, params, market.read, market);
    } catch (err) {
      return { preview: { unavailable: [`preview (${(err as Error).message})`] }, phrase: '' };
    }
  }

  /** Price-index, balance and account reads, memoised for one call (pipeline/market.ts). */
  private market(account: Account): Market {
    return callMarket((role, p) => this.d.dispatcher.read(account, safetyRead(role), p).then((r) => r.data));
  }

  private success(account: Account, endpoint: Endpoint, data: unknown, reconciled?: boolean): CallToolResult {
    this.d.log[endpoint.write ? 'info' : 'debug'](
      { tool: endpoint.name, account: account.name, environment: account.environment, reconciled },
      'tool call succeeded',
    );
    const masked = endpoint.credentialFields ? maskFields(data, endpoint.credentialFields) : data;
    return ok({
      account: account.name,
      environment: envName(account),
      endpoint: endpointId(endpoint),
      data: masked,
      ...(reconciled ? { reconciled: true } : {}),
    });
  }

  private failure(err: unknown, endpoint?: Endpoint): CallToolResult {
    if (endpoint?.retired && err instanceof ToolError && err.kind === 'binance')
      return fail(
        new ToolError('binance', `${endpoint.retired} (Binance answered: ${err.message})`, {
          ...err.fields,
          hint: 'This endpoint is retired; do not retry it.',
        }),
      );
    if (err instanceof ToolError)
      this.d.log.warn(
        { tool: endpoint?.name, kind: err.kind, code: err.code, message: err.message },
        'tool call failed',
      );
    else
      this.d.log.error(
        { err: redactor.scrubText(String((err as Error)?.stack ?? err)) },
        'unexpected error in a tool call',
      );
    return fail(err);
  }

  private journalRefused(
    endpoint: Endpoint,
    account: Account,
    params: Record<string, unknown>,
    err: unknown,
    action?: FrozenAction,
  ): void {
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
