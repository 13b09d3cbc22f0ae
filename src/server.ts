/**
 * createServer(): everything the MCP server needs, wired in one place, and a factory
 * of MCP server instances on the official SDK's v2 line. One instance serves one
 * connection, in the protocol generation its client opened with: 2026-07-28
 * (`server/discover`, a per-request envelope, multi-round-trip requests) or 2025
 * (`initialize`). The state behind the tools (accounts, hosts, gate, journal) is
 * shared by every instance of the process.
 *
 * The instances answer `tools/list` and `tools/call` themselves (tools/registry.ts),
 * through the SDK's public request-handler API. The bin serves them on stdio; tests
 * serve them on an in-memory transport through the same entry (serve()).
 */
import { mkdirSync } from 'node:fs';
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputResponse,
  McpServer,
  type ClientCapabilities,
  type McpServerFactory,
  type ServerContext,
  type Transport,
} from '@modelcontextprotocol/server';
import { serveStdio, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import { TOOLSETS, type Toolset } from './catalog/index.js';
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
import { ToolRegistry, type Connection, type ToolGroup } from './tools/registry.js';
import { describeTools, ToolLister, type ToolListFile } from './tools/tool-list.js';
import { registerToolsetTools } from './tools/toolset-tools.js';
import { SealedState } from './pipeline/sealed-state.js';
import { FormAnswerValidator } from './form-validator.js';
import { VERSION } from './version.js';
import { MCP_APPS_EXTENSION } from './apps/meta.js';
import { linkViews, registerAppResources, registerAppTools } from './apps/register.js';
import { tierUp } from './runtime/tier-up.js';
import { youngGeneration } from './runtime/young-generation.js';

// One line per item; the array keeps the source within 120 columns without changing the text.
export const INSTRUCTIONS = [
  'Binance Margin Trading (cross and isolated). Call server_status first: it says which accounts ' +
    'trade real money (Mainnet) and which are the sandbox.',
  '- Every endpoint tool takes optional "account" (default "main"; see list_accounts). Results are ' +
    "{account, environment, endpoint, data}; data is Binance's JSON.",
  '- Pairs like BTCUSDT, assets like USDT. isIsolated "TRUE" means the isolated account of ' +
    '"symbol"; default is cross margin. Times are ms since the epoch.',
  '- Send decimals (quantity, price, amount) as strings, e.g. "0.001".',
  '- Writes on Mainnet are not executed at once: they return status "confirmation_required" with a ' +
    'token and a summary. Show the summary to the user and ask them to type CONFIRM; only then call ' +
    'confirm_action(token, "CONFIRM"). Never confirm on your own. Some clients ask the user directly ' +
    'instead.',
  '- Client order ids: the server sends "agent-" + yours, or generates one. A write that ends in ' +
    'error kind "unknown_outcome" may have executed: query it by that id before placing again; never ' +
    'just retry.',
  '- Error kind "policy" means the user\'s limits or kill switch refused the call: do not work ' + 'around it.',
  '- Tools come in toolsets (core, trade, account, borrow, isolated, market, history, special-keys, ' +
    'user-stream, transfer); the user may have enabled only some, or read-only (server_status says ' +
    'which). If list_toolsets is listed, enable_toolset adds a toolset you need.',
  '- Typical flow: get_cross_margin_account → get_max_borrowable → place_order (sideEffectType ' +
    'MARGIN_BUY borrows) → get_order → borrow_or_repay REPAY.',
].join('\n');

export interface ServerHandle {
  /**
   * A fresh MCP server instance for one connection (serveStdio calls it once per connection, and for a
   * `server/discover` probe).
   */
  factory: McpServerFactory;
  /** Serves MCP on a transport (default: this process's stdin/stdout), answering both protocol generations. */
  serve(transport?: Transport, opts?: { onerror?: (err: Error) => void }): StdioServerHandle;
  /** Tool calls of this HTTP client (its principal) still running, answered or not. */
  toolCallsRunning(principal: string): number;
  /** The HTTP entry's way to tell 2026-07-28 clients' listen streams that a tool list changed. */
  announceToolListChangesWith(publish: () => void): void;
  /** Every tool this server can list, described (the build writes it to dist/tool-list.json). */
  toolList(): ToolListFile;
  accounts: AccountStore;
  hosts: Hosts;
  gate: Gate;
  journal: Journal;
  pipeline: Pipeline;
  dispatcher: Dispatcher;
  sealed: SealedState;
  /**
   * Lets writes in flight finish (up to `waitMs`), journals the rest as `unknown`, then
   * closes every connection served, the hosts and the journal. Returns how many writes
   * were left without an answer.
   */
  close(waitMs?: number): Promise<number>;
}

/**
 * The client can show a form: it declared elicitation, with form mode or without naming a mode (form is then implied).
 */
const asksForms = (caps: ClientCapabilities | undefined) => {
  const e = caps?.elicitation as { form?: unknown; url?: unknown } | undefined;
  return !!e && (!!e.form || !e.url);
};

const SERVER_INFO = { name: 'binance-margin-mcp', title: 'Binance Margin Trading', version: VERSION };

export function createServer(config: Config, log: Logger, opts: { toolList?: ToolListFile } = {}): ServerHandle {
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const accounts = new AccountStore({
    path: config.toolsMdPath,
    forceSandbox: config.forceSandbox,
    env: config.accountEnv,
  });
  const hosts = new Hosts(config, accounts, log);
  const journal = new Journal(config.stateDir);
  const gate = new Gate(config.confirmTtlSeconds * 1000, config.confirmAll);
  const rails = new Rails(config.stateDir, journal);
  const dispatcher = new Dispatcher(hosts, journal, log, config.reconcileWindowMs);
  const sealed = new SealedState();
  const pipeline = new Pipeline({ config, accounts, hosts, gate, rails, journal, dispatcher, log, sealed });

  const confirmation = (session: Session) => {
    const mode = config.confirmVia;
    if (mode === 'token')
      return (
        'token: Mainnet writes return a token; the agent must ask the user to type CONFIRM (the server cannot ' +
        'tell who typed it)'
      );
    if (mode === 'elicitation')
      return 'elicitation: the client asks the user directly; writes are refused if the client cannot';
    if (mode === 'input-required')
      return (
        'input-required: the client asks the user directly within the call (MCP 2026-07-28); writes are ' +
        'refused if the client cannot'
      );
    if (session.canAskInBand?.())
      return 'auto → input-required: this client asks the user directly within the call (MCP 2026-07-28)';
    return session.canElicit()
      ? 'auto → elicitation: this client asks the user directly'
      : 'auto → token: this client has no elicitation, so the agent must ask the user to type CONFIRM';
  };

  const tools = new ToolRegistry();
  registerEndpointTools(tools, pipeline, {
    toolsets: config.dynamicToolsets ? TOOLSETS : config.toolsets,
    readOnly: config.readOnly,
  });
  registerAccountTools(tools, accounts, { readOnly: config.readOnly });
  registerGateTools(tools, gate, pipeline);
  registerStatusTools(tools, { config, accounts, hosts, journal, rails, pipeline, confirmation });
  registerToolsetTools(tools);
  // MCP Apps (src/apps): the card's Confirm tool, then every tool's view link, before the list is built.
  registerAppTools(tools, { pipeline, readOnly: config.readOnly });
  linkViews(
    tools,
    tools.all().map((d) => d.name),
  );
  const lister = new ToolLister(tools, opts.toolList);
  const startGroups: ToolGroup[] = [
    'always',
    ...config.toolsets,
    ...(config.dynamicToolsets ? (['dynamic'] as const) : []),
  ];

  const formAnswers = new FormAnswerValidator();
  // Tool calls still running per HTTP client, also those whose client went away: they count
  // against its cap of requests in flight (src/http/server.ts) until they end.
  const running = new Map<string, number>();
  const enabledByPrincipal = new Map<string, Set<ToolGroup>>();
  let announceToolListChange: (() => void) | undefined;
  // HTTP mode (src/http/): the authenticated client, the name of its bearer token, comes as
  // authInfo.clientId; its pending actions are bound to it. stdio: none (one client).
  const factory: McpServerFactory = ({ era, authInfo }) => {
    const principal = authInfo?.clientId;
    const server = new McpServer(SERVER_INFO, {
      instructions: INSTRUCTIONS,
      capabilities: { tools: { listChanged: config.dynamicToolsets } },
      jsonSchemaValidator: formAnswers,
    });
    registerAppResources(server); // the ui:// views
    const low = server.server;
    // Over HTTP a 2026-07-28 client has no connection: each request is served by its own
    // instance, so the toolsets it enabled are kept per principal (a 2025 session, like a
    // stdio connection, keeps its own on its one instance).
    const kept = era === 'modern' && principal !== undefined ? enabledByPrincipal.get(principal) : undefined;
    const enabled = kept ?? new Set<ToolGroup>(startGroups);
    if (era === 'modern' && principal !== undefined && !kept) enabledByPrincipal.set(principal, enabled);
    const connection: Connection = {
      enabled,
      enable(toolset: Toolset) {
        if (enabled.has(toolset)) return false;
        enabled.add(toolset);
        log.info({ toolset }, 'toolset enabled');
        // After the enable_toolset result, so that the client re-lists once it has it. A 2026-07-28
        // client over HTTP has no connection to hear it on: it hears it on its subscriptions/listen
        // stream, through the HTTP entry (every listening client hears it; the list itself stays
        // per principal).
        setImmediate(() => {
          server.sendToolListChanged();
          if (era === 'modern') announceToolListChange?.();
        });
        return true;
      },
    };
    const sessionFor = (ctx: ServerContext): Session => {
      // 2026-07-28: what the client can do comes with each request; 2025: from initialize.
      const caps: ClientCapabilities | undefined =
        era === 'modern'
          ? (ctx.mcpReq.envelope as Record<string, ClientCapabilities> | undefined)?.[CLIENT_CAPABILITIES_META_KEY]
          : low.getClientCapabilities();
      return {
        principal,
        canElicit: () => era === 'legacy' && asksForms(caps),
        canAskInBand: () => era === 'modern' && asksForms(caps),
        rendersApps: () => !!caps?.extensions?.[MCP_APPS_EXTENSION],
        askUser: async (message) => {
          const result = await ctx.mcpReq.elicitInput(
            {
              message,
              requestedSchema: {
                type: 'object',
                properties: {
                  confirmation: { type: 'string', title: 'Confirmation', description: 'Type CONFIRM to execute' },
                },
                required: ['confirmation'],
              },
            },
            { timeout: config.confirmTtlSeconds * 1000 },
          );
          if (result.action !== 'accept') return null;
          return String((result.content as { confirmation?: unknown } | undefined)?.confirmation ?? '');
        },
        resumed: () => {
          if (era !== 'modern') return undefined;
          const state = ctx.mcpReq.requestState<unknown>();
          if (typeof state !== 'string') return undefined;
          const answer = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
          const typed =
            answer.kind === 'elicit' && answer.action === 'accept' ? answer.content?.confirmation : undefined;
          return { state, typed: typeof typed === 'string' ? typed : null };
        },
      };
    };
    low.setRequestHandler('tools/list', (_req, ctx) => lister.list(connection, !!sessionFor(ctx).rendersApps?.()));
    low.setRequestHandler('tools/call', async (req, ctx) => {
      if (principal !== undefined) running.set(principal, (running.get(principal) ?? 0) + 1);
      youngGeneration.callStarted();
      tierUp.callStarted();
      try {
        const session = sessionFor(ctx);
        const result = await tools.call(req.params.name, req.params.arguments, { session, connection });
        return 'resultType' in result ? result : low.projectCallToolResult(result, undefined);
      } finally {
        youngGeneration.callEnded();
        if (principal !== undefined) {
          const left = running.get(principal)! - 1;
          if (left > 0) running.set(principal, left);
          else running.delete(principal);
        }
      }
    });
    return server;
  };

  const served = new Set<StdioServerHandle>();
  return {
    factory,
    serve(transport, serveOpts = {}) {
      const handle = serveStdio(factory, {
        transport,
        onerror: serveOpts.onerror ?? ((err) => log.debug({ err: err.message }, 'mcp transport')),
      });
      served.add(handle);
      return handle;
    },
    toolCallsRunning: (principal) => running.get(principal) ?? 0,
    announceToolListChangesWith(publish) {
      announceToolListChange = publish;
    },
    toolList: () => describeTools(tools),
    accounts,
    hosts,
    gate,
    journal,
    pipeline,
    dispatcher,
    sealed,
    async close(waitMs = 5_000) {
      const unanswered = await dispatcher.drain(waitMs);
      for (const h of served) await h.close().catch(() => undefined);
      served.clear();
      await hosts.close();
      journal.close();
      accounts.close();
      return unanswered;
    },
  };
}
