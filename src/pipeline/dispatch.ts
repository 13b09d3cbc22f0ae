/**
 * The one door from a tool call to Binance. Reads pass straight through. Writes are
 * sent only for a ClearedAction (minted by the gate), and only after their `intent`
 * line is on disk; the outcome is journaled. A placement that got no answer is looked
 * up by its client id for up to 10 s, never re-sent.
 */
import type { Account } from '../accounts/store.js';
import type { BinanceResponse, WireEndpoint } from '../binance/client.js';
import { findEndpoint, weightOf, type Endpoint, type Params, type Reconcile } from '../catalog/index.js';
import { ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Journal, JournalEntry } from '../safety/journal.js';
import { isCleared, type ClearedAction } from './gate.js';
import type { Hosts } from './hosts.js';

export interface WriteOutcome {
  data: unknown;
  reconciled?: boolean;
}

type IntentBase = Omit<JournalEntry, 'time' | 'phase'>;

export class Dispatcher {
  /** Writes whose intent is journaled and whose outcome is not yet (for a clean shutdown). */
  private readonly inFlight = new Map<string, { base: IntentBase; done: Promise<unknown> }>();

  constructor(
    private readonly hosts: Hosts,
    private readonly journal: Journal,
    private readonly log: Logger,
    private readonly reconcileWindowMs: number,
  ) {}

  /** A GET: changes nothing, may be retried by the client. */
  async read(
    account: Account,
    endpoint: Endpoint,
    params: Params,
    opts: { noRetry?: boolean } = {},
  ): Promise<BinanceResponse> {
    if (endpoint.write) throw new Error(`dispatcher.read called with a write (${endpoint.name})`);
    const { client, creds } = await this.hosts.route(account);
    return client.send(wire(endpoint, params), params, creds, { noRetry: opts.noRetry });
  }

  /**
   * A write: sent once, only when cleared by the gate, journaled before and after. The
   * intent line is on disk before the request leaves; every intent gets an outcome
   * line, whatever happens; once Binance has answered, no failure of ours turns its
   * answer into an error the agent might retry.
   */
  async write(account: Account, endpoint: Endpoint, action: ClearedAction, valueUsdt?: number): Promise<WriteOutcome> {
    if (!isCleared(action)) throw new Error('refusing to send a write that the confirmation gate did not clear');
    if (!endpoint.write || action.endpoint !== `${endpoint.method} ${endpoint.path}` || action.account !== account.name)
      throw new Error('the cleared action does not match the endpoint or account');
    const { client, creds } = await this.hosts.route(account);
    const base: IntentBase = {
      id: action.id,
      account: action.account,
      environment: action.environment,
      endpoint: action.endpoint,
      tool: action.tool,
      params: action.params,
      clientOrderId: action.clientOrderId,
      summary: action.summary,
      client: action.principal,
    };
    // throws: nothing was sent
    this.journal.append({ ...base, phase: 'intent', valueUsdt, confirmedVia: action.confirmedVia }, true);
    const done = this.send(account, endpoint, action, base, client, creds);
    this.inFlight.set(action.id, { base, done: done.catch(() => undefined) });
    try {
      return await done;
    } finally {
      this.inFlight.delete(action.id);
    }
  }

  private async send(
    account: Account,
    endpoint: Endpoint,
    action: ClearedAction,
    base: IntentBase,
    client: Awaited<ReturnType<Hosts['route']>>['client'],
    creds: Awaited<ReturnType<Hosts['route']>>['creds'],
  ): Promise<WriteOutcome> {
    let res: BinanceResponse;
    try {
      res = await client.send(wire(endpoint, action.params), action.params, creds, {
        clientOrderId: action.clientOrderId,
      });
    } catch (err) {
      if (err instanceof ToolError && err.kind !== 'unknown_outcome') {
        this.outcome({ ...base, phase: 'result', status: 'error', errorCode: err.code, reason: err.message });
        throw err;
      }
      // No answer, or a failure of ours we cannot place before or after the send: it may have executed.
      const reason = err instanceof Error ? err.message : String(err);
      const lookup = endpoint.reconcile;
      const clientId = lookup ? (action.params[lookup.idParam] as string | undefined) : undefined;
      if (lookup && clientId) {
        const found = await this.reconcile(account, action, lookup, clientId);
        if (found !== undefined) {
          this.outcome({ ...base, phase: 'result', status: 'ok', orderId: orderIdOf(found), reconciled: true });
          return { data: found, reconciled: true };
        }
        this.outcome({ ...base, phase: 'unknown', reason });
        throw new ToolError(
          'unknown_outcome',
          `No answer from Binance for ${endpoint.name}, and no order with client id ${clientId} was found within ` +
            `${Math.round(this.reconcileWindowMs / 1000)} s. It may still appear. It was NOT resent.`,
          {
            clientOrderId: clientId,
            hint: `Query it (${lookup.tool} with ${lookup.queryParam}=${clientId}) before placing anything again.`,
          },
        );
      }
      this.outcome({ ...base, phase: 'unknown', reason });
      if (err instanceof ToolError) throw err;
      throw new ToolError(
        'unknown_outcome',
        `Execution status unknown: ${endpoint.name} failed inside the server (${reason}); Binance may or may not ` +
          `have executed it. It was NOT resent.`,
        {
          hint: 'Query the account before trying again.',
        },
      );
    }
    this.outcome({ ...base, phase: 'result', status: 'ok', orderId: orderIdOf(res.data) });
    return { data: res.data };
  }

  /** Appends an outcome line; Binance has answered, so a failure to write it is logged, never thrown. */
  private outcome(entry: Omit<JournalEntry, 'time'>): void {
    try {
      this.journal.append(entry, true);
    } catch (err) {
      this.log.error(
        { id: entry.id, phase: entry.phase, code: (err as NodeJS.ErrnoException).code },
        'the outcome of a write could not be journaled',
      );
    }
  }

  isInFlight(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** How many writes are on the wire now. */
  get writesInFlight(): number {
    return this.inFlight.size;
  }

  /**
   * Shutdown: lets the writes in flight finish for up to `waitMs`, then journals the
   * rest as `unknown` so that the daily cap and server_status see them after a restart.
   */
  async drain(waitMs: number): Promise<number> {
    if (!this.inFlight.size) return 0;
    const all = Promise.all([...this.inFlight.values()].map((w) => w.done));
    await Promise.race([all, new Promise((r) => setTimeout(r, waitMs).unref())]);
    const left = [...this.inFlight.values()];
    for (const w of left)
      this.outcome({ ...w.base, phase: 'unknown', reason: 'the server shut down before Binance answered' });
    return left.length;
  }

  /** Looks an earlier write up by its client id once (server start, or reconcile_actions). */
  async lookup(account: Account, endpoint: Endpoint, params: Params): Promise<unknown> {
    const lookup = endpoint.reconcile;
    const clientId = lookup ? params[lookup.idParam] : undefined;
    if (!lookup || clientId === undefined) return undefined;
    const query = findEndpoint(lookup.tool)!;
    return (
      await this.read(
        account,
        query,
        { symbol: params.symbol, isIsolated: params.isIsolated, [lookup.queryParam]: clientId },
        { noRetry: true },
      )
    ).data;
  }

  /** Looks an order (list) up by its client id until found or the window closes. */
  private async reconcile(
    account: Account,
    action: ClearedAction,
    lookup: Reconcile,
    clientId: string,
  ): Promise<unknown> {
    const query = findEndpoint(lookup.tool)!;
    const params: Params = {
      symbol: action.params.symbol,
      isIsolated: action.params.isIsolated,
      [lookup.queryParam]: clientId,
    };
    const deadline = Date.now() + this.reconcileWindowMs;
    let delay = 250;
    for (;;) {
      try {
        const res = await this.read(account, query, params, { noRetry: true });
        this.log.warn(
          { clientOrderId: clientId, tool: action.tool },
          'write without an answer was found by its client id',
        );
        return res.data;
      } catch (err) {
        this.log.warn({ clientOrderId: clientId, err: (err as Error).message }, 'reconciliation lookup failed');
      }
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise((r) => setTimeout(r, Math.min(delay, left)));
      delay = Math.min(delay * 2, 2000);
    }
  }
}

/** What the client needs of an endpoint, with the weight of this very call. */
const wire = (e: Endpoint, params: Params): WireEndpoint => ({
  method: e.method,
  path: e.path,
  security: e.security,
  weight: weightOf(e, params),
});

function orderIdOf(data: unknown): string | number | undefined {
  const d = data as { orderId?: string | number; orderListId?: string | number; tranId?: number } | undefined;
  return d?.orderId ?? d?.orderListId ?? d?.tranId;
}
