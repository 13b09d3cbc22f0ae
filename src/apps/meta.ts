/**
 * MCP Apps (the ext-apps extension): which ui:// view each tool links to, and what the
 * views declare about themselves. Pure data: no SDK import, so any registration code
 * (the v1 McpServer or the v2 tool registry) can use it.
 */
import { isGated, type Endpoint } from '../catalog/index.js';
import { MARGIN_VIEW_ENDPOINTS } from '../catalog/view-reads.js';

/** The capability a client that renders MCP Apps declares under `capabilities.extensions` (ext-apps EXTENSION_ID). */
export const MCP_APPS_EXTENSION = 'io.modelcontextprotocol/ui';
/** The MIME type of an MCP Apps HTML resource (ext-apps RESOURCE_MIME_TYPE). */
export const APP_MIME_TYPE = 'text/html;profile=mcp-app';
/**
 * The deprecated flat key (ext-apps RESOURCE_URI_META_KEY) that ext-apps' registerAppTool
 * still writes beside `_meta.ui.resourceUri`. Not written here: hosts read `_meta.ui`, and
 * every byte of tools/list is paid for by the agent (the list's token budget, tool-list.test).
 */
export const LEGACY_RESOURCE_URI_KEY = 'ui/resourceUri';

export const MARGIN_VIEW_URI = 'ui://binance-margin/margin-view.html';
export const CONFIRM_CARD_URI = 'ui://binance-margin/confirm-card.html';

/** The app-only tool behind the card's Confirm button (visibility ["app"]). */
export const APP_CONFIRM_TOOL = 'confirm_pending_action_from_app';

/** The tools whose results the margin view renders. */
export const MARGIN_VIEW_TOOLS: readonly string[] = ['list_accounts', 'show_account', ...MARGIN_VIEW_ENDPOINTS];

export interface ViewDef {
  name: 'margin-view' | 'confirm-card';
  uri: string;
  title: string;
  description: string;
}

export const VIEWS: readonly ViewDef[] = [
  {
    name: 'margin-view',
    uri: MARGIN_VIEW_URI,
    title: 'Margin account',
    description: 'Margin level against the thresholds, assets, open orders and order lists, debts by value.',
  },
  {
    name: 'confirm-card',
    uri: CONFIRM_CARD_URI,
    title: 'Confirm action',
    description: 'A pending Mainnet write: the frozen request, its summary and preview, Confirm and Cancel.',
  },
];

/**
 * What a view's resource declares (`_meta.ui`): it loads nothing from anywhere (no
 * connect, resource or frame domain), and its own page carries the same policy as a
 * Content-Security-Policy meta tag (scripts/build-views.mjs).
 */
export const VIEW_RESOURCE_UI_META = {
  csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] },
  prefersBorder: true,
} as const;

/** The `_meta` that links a tool (definition or result) to a view. */
export const linkTo = (uri: string) => ({ ui: { resourceUri: uri } });

/** The view of a tool, if it has one: the margin view for the account tools, the card for every gated write. */
export function viewOf(toolName: string, endpoint?: Endpoint): string | undefined {
  if (MARGIN_VIEW_TOOLS.includes(toolName)) return MARGIN_VIEW_URI;
  if (endpoint && isGated(endpoint)) return CONFIRM_CARD_URI;
  return undefined;
}

/** `_meta` for a tool definition: the given entries plus the view link, when the tool has a view. */
export function withViewMeta(
  toolName: string,
  meta: Record<string, unknown> | undefined,
  endpoint?: Endpoint,
): Record<string, unknown> | undefined {
  const uri = viewOf(toolName, endpoint);
  if (!uri) return meta;
  const ui = { ...((meta?.ui as Record<string, unknown> | undefined) ?? {}), resourceUri: uri };
  return { ...meta, ui };
}

/** A `confirmation_required` result names the card too, for hosts that look at the result. */
export function linkConfirmationCard<R extends { _meta?: Record<string, unknown> }>(result: R): R {
  return { ...result, _meta: { ...result._meta, ...linkTo(CONFIRM_CARD_URI) } };
}
