/** Small shapes the pipeline shares: the journal's view of an action, the CONFIRM form, masked answers. */
import type { JournalEntry } from '../safety/journal.js';
import { redactor } from '../safety/redact.js';
import { CONFIRM_WORD } from './gate.js';

/** The form the user answers at an elicitation or in-band confirmation. */
export const CONFIRM_SCHEMA = {
  type: 'object' as const,
  properties: {
    confirmation: { type: 'string' as const, title: 'Confirmation', description: `Type ${CONFIRM_WORD} to execute` },
  },
  required: ['confirmation'],
};

/** What the journal records of a frozen action (or of an earlier intent, when it is settled). */
export const journalView = (
  frozen: Pick<
    JournalEntry,
    'id' | 'account' | 'environment' | 'endpoint' | 'tool' | 'params' | 'clientOrderId' | 'summary' | 'client'
  > & { principal?: string },
) => ({
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
export function maskFields(data: unknown, fields: string[]): unknown {
  if (Array.isArray(data)) return data.map((d) => maskFields(d, fields));
  if (data && typeof data === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data))
      out[k] = fields.includes(k) && typeof v === 'string' ? redactor.scrub({ [k]: v })[k] : maskFields(v, fields);
    return out;
  }
  return data;
}
