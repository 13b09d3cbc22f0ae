/**
 * createServer(): everything one MCP server needs, wired in one place. The bin
 * connects it to stdio; tests connect it to an in-memory transport.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { mkdirSync } from 'node:fs';
import { AccountStore } from './accounts/store.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { Dispatcher } from './pipeline/dispatch.js';
import { Gate } from './pipeline/gate.js';
import { Hosts } from './pipeline/hosts.js';
import { Pipeline, type Session } from './pipeline/pipeline.js';
import { Journal } from './safety/journal.js';
import { Rails } from './safety/rails.js';
import { registerAccountTools } from './tools/account-tools.js';
import { registerEndpointTools } from './tools/endpoint-tools.js';
import { registerGateTools } from './tools/gate-tools.js';
import { registerStatusTools } from './tools/status-tools.js';
import { installToolList, type ToolListFile } from './tools/tool-list.js';
import { VERSION } from './version.js';

export const INSTRUCTIONS = `Binance Margin Trading (cross and isolated). Call server_status first: it says which accounts trade real money (Mainnet) and which are the sandbox.
- Every endpoint tool takes optional "account" (default "main"; see list_accounts). Results are {account, environment, endpoint, data}; data is Binance's JSON.
- Pairs like BTCUSDT, assets like USDT. isIsolated "TRUE" means the isolated account of "symbol"; default is cross margin. Times are ms since the epoch.
- Send decimals (quantity, price, amount) as strings, e.g. "0.001".
- Writes on Mainnet are not executed at once: they return status "confirmation_required" with a token and a summary. Show the summary to the user and ask them to type CONFIRM; only then call confirm_action(token, "CONFIRM"). Never confirm on your own. Some clients ask the user directly instead.
- Client order ids: the server sends "agent-" + yours, or generates one. A write that ends in error kind "unknown_outcome" may have executed: query it by that id before placing again; never just retry.
- Error kind "policy" means the user's limits or kill switch refused the call: do not work around it.
- Tools come in toolsets (core, trade, account, borrow, isolated, market, history, special-keys, user-stream); the user may have enabled only some, or read-only (server_status says which).
- Typical flow: get_cross_margin_account → get_max_borrowable → place_order (sideEffectType MARGIN_BUY borrows) → get_order → borrow_or_repay REPAY.`;

export interface ServerHandle {
  server: McpServer;
  accounts: AccountStore;
  hosts: Hosts;
  gate: Gate;
  journal: Journal;
  pipeline: Pipeline;
  dispatcher: Dispatcher;
  /**
   * Lets writes in flight finish (up to `waitMs`), journals the rest as `unknown`, then
   * closes everything. Returns how many writes were left without an answer.
   */
  close(waitMs?: number): Promise<number>;
}

export function createServer(config: Config, log: Logger, opts: { toolList?: ToolListFile } = {}): ServerHandle {
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const accounts = new AccountStore({ path: config.toolsMdPath, forceSandbox: config.forceSandbox, env: config.accountEnv });
  const hosts = new Hosts(config, accounts, log);
  const journal = new Journal(config.stateDir);
  const gate = new Gate(config.confirmTtlSeconds * 1000, config.confirmAll);
  const rails = new Rails(config.stateDir, journal);
  const dispatcher = new Dispatcher(hosts, journal, log, config.reconcileWindowMs);
  const pipeline = new Pipeline({ config, accounts, hosts, gate, rails, journal, dispatcher, log });

  const server = new McpServer({ name: 'binance-margin-mcp', title: 'Binance Margin Trading', version: VERSION }, { instructions: INSTRUCTIONS });

  const session: Session = {
    canElicit: () => !!server.server.getClientCapabilities()?.elicitation,
    askUser: async (message) => {
      const result = await server.server.elicitInput(
        {
          message,
          requestedSchema: {
            type: 'object',
            properties: { confirmation: { type: 'string', title: 'Confirmation', description: 'Type CONFIRM to execute' } },
            required: ['confirmation'],
          },
        },
        { timeout: config.confirmTtlSeconds * 1000 },
      );
      if (result.action !== 'accept') return null;
      return String((result.content as { confirmation?: unknown } | undefined)?.confirmation ?? '');
    },
  };
  const confirmation = () => {
    const mode = config.confirmVia;
    if (mode === 'token') return 'token: Mainnet writes return a token; the agent must ask the user to type CONFIRM (the server cannot tell who typed it)';
    if (mode === 'elicitation') return 'elicitation: the client asks the user directly; writes are refused if the client cannot';
    return session.canElicit() ? 'auto → elicitation: this client asks the user directly' : 'auto → token: this client has no elicitation, so the agent must ask the user to type CONFIRM';
  };

  registerEndpointTools(server, pipeline, session, { toolsets: config.toolsets, readOnly: config.readOnly });
  registerAccountTools(server, accounts, { readOnly: config.readOnly });
  registerGateTools(server, gate, pipeline);
  registerStatusTools(server, { config, accounts, hosts, journal, rails, pipeline, confirmation });
  installToolList(server, opts.toolList);

  return {
    server,
    accounts,
    hosts,
    gate,
    journal,
    pipeline,
    dispatcher,
    async close(waitMs = 5_000) {
      const unanswered = await dispatcher.drain(waitMs);
      await server.close().catch(() => undefined);
      await hosts.close();
      journal.close();
      return unanswered;
    },
  };
}
