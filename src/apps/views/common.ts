/**
 * What both views share: the connection to the host (the ext-apps App class, the real
 * MCP Apps protocol over postMessage), theming, and DOM building that never parses
 * markup: every string from a tool result goes in as text (textContent), so a value
 * Binance or an agent chose cannot become HTML.
 */
import {
  App,
  applyDocumentTheme,
  applyHostStyleVariables,
  type McpUiHostContext,
} from '@modelcontextprotocol/ext-apps';

export type Json = Record<string, unknown>;
export interface ToolResult {
  content?: unknown[];
  structuredContent?: Json;
  isError?: boolean;
  _meta?: Json;
}

type Child = Node | string | number | null | undefined | false;

/** An element with attributes (never `on*`, never `style`, never innerHTML) and text or element children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (/^on/i.test(k) || k === 'style') throw new Error(`attribute ${k} is not allowed`);
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false)
      el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  return el;
}

export const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag: string, attrs: Record<string, string | number>, ...children: Node[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** A value as the result wrote it: strings unchanged, numbers as JavaScript prints them, anything else as JSON. */
export const show = (v: unknown): string =>
  v === undefined || v === null
    ? '—'
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);

/** A cell that tests and screenshots can find: data-v names what it shows. */
export const cell = (key: string, v: unknown, cls = 'num') => h('td', { class: cls, 'data-v': key }, show(v));

export function replace(root: Element, ...children: Child[]): void {
  root.replaceChildren();
  for (const c of children)
    if (c !== null && c !== undefined && c !== false)
      root.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
}

/** Light or dark: the host's theme when it says, else the user's system preference. */
function applyContext(ctx: McpUiHostContext | undefined): void {
  const theme = ctx?.theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  applyDocumentTheme(theme);
  if (ctx?.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
}

export interface Connected {
  app: App;
  /** A read-only tool through the host; the result's structuredContent, or an Error with the tool's message. */
  read(name: string, args?: Json): Promise<Json>;
}

/** Connects to the host; `onResult` gets every tool result the host sends this view. */
export async function connect(
  name: string,
  onResult: (result: ToolResult) => void,
  onInput?: (args: Json) => void,
): Promise<Connected> {
  applyContext(undefined);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => applyContext(app.getHostContext()));
  const app = new App({ name, version: '1.0.0' }, {}, { autoResize: true });
  app.ontoolresult = (params) => onResult(params as ToolResult);
  if (onInput) app.ontoolinput = (params) => onInput((params.arguments ?? {}) as Json);
  app.onhostcontextchanged = () => applyContext(app.getHostContext());
  app.onteardown = async () => ({});
  await app.connect();
  applyContext(app.getHostContext());
  const read = async (tool: string, args: Json = {}): Promise<Json> => {
    const r = (await app.callServerTool({ name: tool, arguments: args })) as ToolResult;
    const s = (r.structuredContent ?? {}) as Json;
    if (r.isError) throw new Error(show((s.error as Json | undefined)?.message ?? 'the tool failed'));
    return s;
  };
  return { app, read };
}

export const errorText = (r: ToolResult): string | undefined => {
  if (!r.isError) return undefined;
  const e = (r.structuredContent?.error ?? {}) as Json;
  return `${show(e.kind ?? 'error')}: ${show(e.message ?? 'the tool failed')}`;
};
