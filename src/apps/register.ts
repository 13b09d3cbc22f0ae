/**
 * The MCP Apps side of the server (docs/contract.md §5, README "MCP Apps view"):
 *
 * - two ui:// resources, `text/html;profile=mcp-app`: the margin view and the
 *   confirmation card (registerAppResources);
 * - `_meta.ui.resourceUri` on list_accounts, show_account, get_cross_margin_account,
 *   get_isolated_account (margin view) and on every gated write (card) (linkViews);
 * - the app-only tool behind the card's Confirm button (registerAppTools).
 *
 * The Confirm tool takes the single-use token the card received in the
 * confirmation_required result and redeems it through Pipeline.confirm, the path of
 * confirm_action, with the user's press as the CONFIRM: the same gate (one use, expiry,
 * bound request) and the same enforcement point (account re-read, kill switch, limits,
 * daily cap under the account lock, journal). It is listed with `visibility: ["app"]`, so
 * hosts do not offer it to the model; a host that let the model call it anyway would give
 * the agent no more than confirm_action already does in token mode (the agent holds the
 * token either way), which the README says plainly. A client that did not declare the MCP
 * Apps extension renders no card, so there the tool refuses and executes nothing.
 *
 * Written against the structural shape shared by the SDK's McpServer (v1 and v2:
 * registerResource(name, uri, config, read) and registerTool(name, config, cb)) and the
 * server's own tool registry (v2 branch: registerTool and get), so wiring it is one call
 * each in createServer.
 */
import { z } from 'zod';
import { findEndpoint } from '../catalog/index.js';
import { confirmationError } from '../errors.js';
import { CONFIRM_WORD } from '../pipeline/gate.js';
import type { Pipeline, Session } from '../pipeline/pipeline.js';
import { fail } from '../tools/envelope.js';
import { viewHtml } from './html.js';
import { APP_CONFIRM_TOOL, APP_MIME_TYPE, VIEW_RESOURCE_UI_META, VIEWS, withViewMeta } from './meta.js';

type Meta = Record<string, unknown>;

export interface ResourceRegistrar {
  registerResource(
    name: string,
    uri: string,
    config: { title?: string; description?: string; mimeType?: string; _meta?: Meta },
    read: (uri: URL) => { contents: { uri: string; mimeType?: string; text: string; _meta?: Meta }[] },
  ): unknown;
}

export interface ToolRegistrar {
  registerTool<S extends z.ZodType>(
    name: string,
    config: { title?: string; description?: string; inputSchema: S; annotations?: Meta; _meta?: Meta },
    cb: (
      args: z.output<S>,
      ctx: { session: Pick<Session, 'rendersApps' | 'principal'> },
    ) => ReturnType<Pipeline['confirm']> | ReturnType<typeof fail>,
  ): unknown;
}

/** A registered tool whose definition `_meta` can be replaced before the list is first served. */
export interface ToolLookup {
  get(name: string): { _meta?: Meta } | undefined;
}

export function registerAppResources(server: ResourceRegistrar): void {
  for (const view of VIEWS) {
    server.registerResource(
      view.name,
      view.uri,
      {
        title: view.title,
        description: view.description,
        mimeType: APP_MIME_TYPE,
        _meta: { ui: VIEW_RESOURCE_UI_META },
      },
      (uri) => ({
        contents: [
          { uri: uri.href, mimeType: APP_MIME_TYPE, text: viewHtml(view.name), _meta: { ui: VIEW_RESOURCE_UI_META } },
        ],
      }),
    );
  }
}

export function registerAppTools(
  tools: ToolRegistrar,
  deps: { pipeline: Pick<Pipeline, 'confirm'>; readOnly: boolean },
): void {
  if (deps.readOnly) return; // nothing is ever pending
  tools.registerTool(
    APP_CONFIRM_TOOL,
    {
      title: 'Confirm from the card',
      description:
        "The confirmation card's Confirm button: executes the pending action of the token the card was given. Only " +
        'the app calls it, when the user presses Confirm.',
      inputSchema: z.strictObject({
        token: z.string().min(1).max(200).describe('From the confirmation_required result the card shows'),
      }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
      _meta: { ui: { visibility: ['app'] } },
    },
    ({ token }, ctx) =>
      // A client that renders no app has no card whose button could have been pressed.
      ctx.session.rendersApps?.()
        ? deps.pipeline.confirm(token, CONFIRM_WORD, ctx.session.principal, 'app')
        : fail(
            confirmationError(
              'This tool is the Confirm button of the MCP Apps confirmation card, and this client renders no MCP ' +
                'Apps; nothing was executed.',
              'Ask the user to type CONFIRM, then call confirm_action.',
            ),
          ),
  );
}

/**
 * Links every registered tool that has a view to it (call after all tools are registered, before the list is built).
 */
export function linkViews(tools: ToolLookup, names: Iterable<string>): void {
  for (const name of names) {
    const def = tools.get(name);
    if (!def) continue;
    const meta = withViewMeta(name, def._meta, findEndpoint(name));
    if (meta !== def._meta) def._meta = meta;
  }
}
