/**
 * Writes whose outcome the journal does not know (the server died, or Binance never
 * answered), settled by looking each placement up by its client id: never re-sent.
 */
import { findEndpoint, type Params } from '../catalog/index.js';
import { ToolError } from '../errors.js';
import { envName } from './hosts.js';
import { journalView } from './journal-view.js';
import type { PipelineDeps } from './pipeline.js';

export interface ReconcileReport {
  id: string;
  tool: string;
  account: string;
  clientOrderId?: string;
  outcome: 'executed' | 'not_found' | 'still_unknown';
}

/**
 * Settles writes whose outcome the journal does not know (the server died, or Binance
 * never answered): each placement is looked up by its client id, never re-sent. Found:
 * a `result` line (it executed). Not found, and older than a minute: a `not_found`
 * result (it never executed, and stops counting toward the daily cap). Other writes
 * (borrows, settings) cannot be looked up by id and stay listed for the user to check.
 */
export async function reconcileUnresolved(
  d: Pick<PipelineDeps, 'journal' | 'accounts' | 'dispatcher'>,
  minAgeMs: number,
): Promise<ReconcileReport[]> {
  const report = [];
  for (const intent of d.journal.unresolved()) {
    if (d.dispatcher.isInFlight(intent.id)) continue;
    const endpoint = findEndpoint(intent.tool);
    const account = d.accounts.list().find((a) => a.name === intent.account);
    let outcome: 'executed' | 'not_found' | 'still_unknown' = 'still_unknown';
    if (endpoint?.reconcile && account && envName(account) === intent.environment) {
      try {
        const found = await d.dispatcher.lookup(account, endpoint, intent.params as Params);
        if (found !== undefined) {
          d.journal.append({
            ...journalView(intent),
            phase: 'result',
            status: 'ok',
            reconciled: true,
            orderId:
              (found as { orderId?: number; orderListId?: number }).orderId ??
              (found as { orderListId?: number }).orderListId,
          });
          outcome = 'executed';
        }
      } catch (err) {
        const notFound =
          err instanceof ToolError && err.kind === 'binance' && (err.code === -2013 || err.code === -2011);
        if (notFound && Date.now() - Date.parse(intent.time) > minAgeMs) {
          d.journal.append({
            ...journalView(intent),
            phase: 'result',
            status: 'not_found',
            reason: 'not found by its client id: it never executed',
          });
          outcome = 'not_found';
        }
      }
    }
    report.push({
      id: intent.id,
      tool: intent.tool,
      account: intent.account,
      ...(intent.clientOrderId ? { clientOrderId: intent.clientOrderId } : {}),
      outcome,
    });
  }
  return report;
}
