/**
 * --toolsets dynamic: the client starts with the core tools plus these two, and
 * enables a toolset when it needs one; the server then sends
 * `notifications/tools/list_changed` (as github-mcp-server's dynamic toolsets do).
 */
import { z } from 'zod';
import { TOOLSETS, type Toolset } from '../catalog/index.js';
import { ok } from './envelope.js';
import type { ToolRegistry } from './registry.js';

export const TOOLSET_DESCRIPTIONS: Record<Toolset, string> = {
  core: 'Accounts, balances, prices, placing and cancelling orders, borrowing and repaying',
  trade: 'Every order type: OCO, OTO, OTOCO, open orders, order lists, trade history',
  account: 'Margin account details, levels, fees, leverage, BNB burn, interest and capital flow',
  borrow: 'Borrowing, repaying, max borrowable, interest rates and their history',
  isolated: 'Isolated margin accounts: enable, disable, tiers, transfers and limits',
  market: 'Margin assets, pairs, price index, delist schedule, restricted assets',
  history: 'Borrow/repay, interest, force-liquidation and transfer records',
  'special-keys': 'Special API keys for margin trading',
  'user-stream': 'User data stream listen keys',
};

export function registerToolsetTools(server: ToolRegistry): void {
  server.registerTool(
    'list_toolsets',
    {
      title: 'List toolsets',
      description: 'Groups of tools: which are enabled here, and what each holds. Enable one with enable_toolset.',
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (_args, { connection }) =>
      ok({
        toolsets: TOOLSETS.map((name) => ({
          name,
          enabled: connection.enabled.has(name),
          description: TOOLSET_DESCRIPTIONS[name],
          tools: server.all().filter((d) => d.group === name).map((d) => d.name),
        })),
      }),
    { group: 'dynamic' },
  );

  server.registerTool(
    'enable_toolset',
    {
      title: 'Enable toolset',
      description: 'Adds a toolset\'s tools to this session (see list_toolsets); the tool list then changes.',
      inputSchema: z.strictObject({ toolset: z.enum(TOOLSETS) }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ toolset }, { connection }) => {
      const added = connection.enable(toolset);
      return ok({
        toolset,
        enabled: true,
        alreadyEnabled: !added,
        tools: server.all().filter((d) => d.group === toolset).map((d) => d.name),
      });
    },
    { group: 'dynamic' },
  );
}
