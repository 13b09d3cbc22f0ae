/**
 * The one door from a tool call to Binance. Reads pass straight through. Writes are
 * sent only for a ClearedAction (minted by the gate), and only after their `intent`
 * line is on disk; the outcome is journaled. A placement that got no answer is looked
 * up by its client id for up to 10 s, never re-sent.
 */
import type { Account } from '../accounts/store.js';
import type { BinanceResponse, WireEndpoint } from '../binance/client.js';
import { findEndpoint, weightOf, type Endpoint, type Params } from '../catalog/index.js';
import { ToolError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Journal } from '../safety/journal.js';
import { isCleared, type ClearedAction } from './gate.js';
import type { Hosts } from './hosts.js';

export interface WriteOutcome {
  data: unknown;
  reconciled?: boolean;
}

/** Order placements and how to look each up by its client id. */
const LOOKUP: Record<string, { tool: string; idParam: string; queryParam: string }> = {
  place_order: { tool: 'get_order', idParam: 'newClientOrderId', queryParam: 'origClientOrderId' },
  place_oco_order: { tool: 'get_order_list', idParam: 'listClientOrderId', queryParam: 'origClientOrderId' },
  place_oto_order: { tool: 'get_order_list', idParam: 'listClientOrderId', queryParam: 'origClientOrderId' },
  place_otoco_order: { tool: 'get_order_list', idParam: 'listClientOrderId', queryParam: 'origClientOrderId' },
};

export class Dispatcher {
  constructor(
    private readonly hosts: Hosts,
    private readonly journal: Journal,
    private readonly log: Logger,
    private readonly reconcileWindowMs: number,
  ) {}

  /** A GET: changes nothing, may be retried by the client. */
  async read(account: Account, endpoint: Endpoint, params: Params, opts: { noRetry?: boolean } = {}): Promise<BinanceResponse> {
    if (endpoint.write) throw new Error(`dispatcher.read called with a write (${endpoint.name})`);
    const { client, creds } = await this.hosts.route(account);
    return client.send(wire(endpoint, params), params, creds, { noRetry: opts.noRetry });
  }

  /** A write: sent once, only when cleared by the gate, journaled before and after. */
  async write(account: Account, endpoint: Endpoint, action: ClearedAction): Promise<WriteOutcome> {
    if (!isCleared(action)) throw new Error('refusing to send a write that the confirmation gate did not clear');
    if (!endpoint.write || action.endpoint !== `${endpoint.method} ${endpoint.path}` || action.account !== account.name)
      throw new Error('the cleared action does not match the endpoint or account');
    const { client, creds } = await this.hosts.route(account);
    const base = {
      id: action.id,
      account: action.account,
      environment: action.environment,
      endpoint: action.endpoint,
      tool: action.tool,
      params: action.params,
      clientOrderId: action.clientOrderId,
      summary: action.summary,
    };
    this.journal.append({ ...base, phase: 'intent', valueUsdt: action.valueUsdt }, true);
    try {
      const res = await client.send(wire(endpoint, action.params), action.params, creds, { clientOrderId: action.clientOrderId });
      this.journal.append({ ...base, phase: 'result', status: 'ok', orderId: orderIdOf(res.data) });
      return { data: res.data };
    } catch (err) {
      if (!(err instanceof ToolError)) throw err;
      if (err.kind !== 'unknown_outcome') {
        this.journal.append({ ...base, phase: 'result', status: 'error', errorCode: err.code, reason: err.message });
        throw err;
      }
      const lookup = LOOKUP[endpoint.name];
      const clientId = lookup ? (action.params[lookup.idParam] as string | undefined) : undefined;
      if (lookup && clientId) {
        const found = await this.reconcile(account, action, lookup, clientId);
        if (found !== undefined) {
          this.journal.append({ ...base, phase: 'result', status: 'ok', orderId: orderIdOf(found), reconciled: true });
          return { data: found, reconciled: true };
        }
        this.journal.append({ ...base, phase: 'unknown', reason: err.message });
        throw new ToolError(
          'unknown_outcome',
          `No answer from Binance for ${endpoint.name}, and no order with client id ${clientId} was found within ${Math.round(this.reconcileWindowMs / 1000)} s. It may still appear. It was NOT resent.`,
          { clientOrderId: clientId, hint: `Query it (${lookup.tool} with ${lookup.queryParam}=${clientId}) before placing anything again.` },
        );
      }
      this.journal.append({ ...base, phase: 'unknown', reason: err.message });
      throw err;
    }
  }

  /** Looks an order (list) up by its client id until found or the window closes. */
  private async reconcile(account: Account, action: ClearedAction, lookup: (typeof LOOKUP)[string], clientId: string): Promise<unknown> {
    const query = findEndpoint(lookup.tool)!;
    const params: Params = { symbol: action.params.symbol, isIsolated: action.params.isIsolated, [lookup.queryParam]: clientId };
    const deadline = Date.now() + this.reconcileWindowMs;
    let delay = 250;
    for (;;) {
      try {
        const res = await this.read(account, query, params, { noRetry: true });
        this.log.warn({ clientOrderId: clientId, tool: action.tool }, 'write without an answer was found by its client id');
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
const wire = (e: Endpoint, params: Params): WireEndpoint => ({ method: e.method, path: e.path, security: e.security, weight: weightOf(e, params) });

function orderIdOf(data: unknown): string | number | undefined {
  const d = data as { orderId?: string | number; orderListId?: string | number; tranId?: number } | undefined;
  return d?.orderId ?? d?.orderListId ?? d?.tranId;
}
