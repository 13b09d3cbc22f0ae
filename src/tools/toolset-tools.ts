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
  core: 'Cross account, orders (place, get, cancel, open, trades), borrow or repay, max borrowable, price index',
  trade: 'OCO, OTO and OTOCO order lists, cancel all open orders, order-count usage',
  account: 'Margin level thresholds, max leverage, BNB burn, max transferable, available inventory, manual liquidation',
  borrow: 'Interest rates, fee data, small liabilities, liquidation loans',
  isolated: 'Isolated accounts: get, enable, disable, limit, fee data, tiers',
  market: 'Margin pairs and assets, collateral and liquidation ratios, list and delist schedules, restricted assets',
  history:
    'All orders and order lists, prevented matches, capital flow, borrow/repay, interest, transfers, liquidations',
  'special-keys': 'Special (low-latency) API keys',
  'user-stream': 'Risk data stream listen keys, and the listen token for order and balance updates',
  transfer: 'Move collateral between the spot wallet, cross margin and isolated pairs; the history of those moves',
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
          tools: server
            .all()
            .filter((d) => d.group === name)
            .map((d) => d.name),
        })),
      }),
    { group: 'dynamic' },
  );

  server.registerTool(
    'enable_toolset',
    {
      title: 'Enable toolset',
      description: "Adds a toolset's tools to this session (see list_toolsets); the tool list then changes.",
      inputSchema: z.strictObject({ toolset: z.enum(TOOLSETS) }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ toolset }, { connection }) => {
      const added = connection.enable(toolset);
      return ok({
        toolset,
        enabled: true,
        alreadyEnabled: !added,
        tools: server
          .all()
          .filter((d) => d.group === toolset)
          .map((d) => d.name),
      });
    },
    { group: 'dynamic' },
  );
}
