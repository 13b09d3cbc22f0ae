/** server_status and recent_actions: what an agent should know before it trades. */
import type { ToolRegistry } from './registry.js';
import { z } from 'zod';
import type { AccountStore } from '../accounts/store.js';
import { ACCOUNT_NAME } from '../accounts/toolsmd.js';
import { TOOLSETS } from '../catalog/index.js';
import type { Config } from '../config.js';
import type { Hosts } from '../pipeline/hosts.js';
import type { Pipeline, Session } from '../pipeline/pipeline.js';
import type { Journal } from '../safety/journal.js';
import type { Rails } from '../safety/rails.js';
import { VERSION } from '../version.js';
import { limitsView, problemLines } from './account-tools.js';
import { ok } from './envelope.js';

export function registerStatusTools(
  server: ToolRegistry,
  deps: {
    config: Config;
    accounts: AccountStore;
    hosts: Hosts;
    journal: Journal;
    rails: Rails;
    pipeline: Pipeline;
    confirmation: (session: Session) => string;
  },
): void {
  server.registerTool(
    'server_status',
    {
      title: 'Server status',
      description:
        'Call before trading: real money or sandbox, read-only, how CONFIRM is asked, kill switch, rate limits, clock.',
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (_args, { session, connection }) => {
      const { config, accounts } = deps;
      const list = accounts.list();
      return ok({
        version: VERSION,
        mode: {
          sandbox: accounts.sandboxOnly,
          readOnly: config.readOnly,
          toolsets: config.dynamicToolsets
            ? { dynamic: true, enabled: TOOLSETS.filter((t) => connection.enabled.has(t)) }
            : config.toolsets,
          realMoney: list.some((a) => a.environment === 'Mainnet'),
        },
        confirmation: deps.confirmation(session),
        confirmAll: config.confirmAll,
        killSwitch: deps.rails.killSwitchOn()
          ? 'ON: every state-changing call except cancels, repays and closing a stream is refused'
          : 'off',
        accounts: list.map((a) => ({
          name: a.name,
          environment: a.environment,
          signing: a.signing,
          limits: limitsView(a.limits),
          ...(a.policyProblems?.length ? { writesRefused: problemLines(a.policyProblems) } : {}),
        })),
        ...(accounts.problems().length ? { accountProblems: problemLines(accounts.problems()) } : {}),
        ...unresolvedView(deps.journal),
        hosts: deps.hosts.status(),
      });
    },
  );

  server.registerTool(
    'reconcile_actions',
    {
      title: 'Reconcile unresolved writes',
      description: 'Look up writes with no known outcome (server_status lists them) by client order id; never resends.',
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async () => ok({ reconciled: await deps.pipeline.reconcileUnresolved() }),
  );

  server.registerTool(
    'recent_actions',
    {
      title: 'Recent actions',
      description: 'Journal of state-changing calls, newest first.',
      inputSchema: z.strictObject({
        limit: z.number().int().min(1).max(200).optional().describe('Default 20'),
        account: z.string().regex(ACCOUNT_NAME).optional(),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ limit, account }) => ok({ actions: deps.journal.recent(limit ?? 20, account) }),
  );
}

/** Writes whose outcome is not known: they count toward the daily cap until reconciled. */
function unresolvedView(journal: Journal): Record<string, unknown> {
  const open = journal.unresolved();
  if (!open.length) return {};
  return {
    unresolvedWrites: open.map((e) => ({
      id: e.id,
      time: e.time,
      account: e.account,
      tool: e.tool,
      ...(e.clientOrderId ? { clientOrderId: e.clientOrderId } : {}),
      summary: e.summary,
    })),
    unresolvedHint:
      'These writes may have executed. They count toward Max Daily Value until reconciled: call reconcile_actions ' +
      '(it looks orders up by client id; nothing is resent).',
  };
}
