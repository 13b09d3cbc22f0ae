/**
 * Our own tool table. The MCP SDK's high-level registerTool would build each tool's
 * JSON Schema, validate arguments with its own error text and keep the list in
 * private fields; the server instead answers `tools/list` and `tools/call` itself
 * (src/server.ts) from this table, through the SDK's public request-handler API:
 *
 * - the list is served from the prebuilt dist/tool-list.json (tool-list.ts), so
 *   start-up builds no schema;
 * - arguments are validated here, and a failure is refused like every other
 *   failure (interface.md §4: `kind: "validation"`, `path`), never as the SDK's
 *   "MCP error -32602";
 * - which tools are listed is decided per connection (dynamic toolsets).
 *
 * registerTool() keeps the shape of the SDK's, so the tool modules read as before.
 */
import type { CallToolResult, InputRequiredResult, ToolAnnotations } from '@modelcontextprotocol/server';
import { z as zod, type z } from 'zod';
import type { Toolset } from '../catalog/index.js';
import { ToolError } from '../errors.js';
import type { Session } from '../pipeline/pipeline.js';
import { fail } from './envelope.js';

/** What one connection (one MCP server instance) holds for its calls. */
export interface Connection {
  /** Toolsets whose tools this connection lists and may call. */
  readonly enabled: ReadonlySet<ToolGroup>;
  /** Adds a toolset (dynamic toolsets); true when it was not enabled yet. Sends `notifications/tools/list_changed`. */
  enable(toolset: Toolset): boolean;
}

/** Everything a tool handler may use besides its arguments. */
export interface ToolCallContext {
  session: Session;
  connection: Connection;
}

export type ToolResult = CallToolResult | InputRequiredResult;

/**
 * A tool's group: an endpoint toolset, `always` (account, gate and status tools),
 * or `dynamic` (list_toolsets and enable_toolset, listed only with --toolsets dynamic).
 */
export type ToolGroup = Toolset | 'always' | 'dynamic';

export interface ToolConfig<S extends z.ZodType> {
  title?: string;
  description?: string;
  /** The input schema, or a function that builds it on first use (endpoint tools: start-up builds none). */
  inputSchema: S | (() => S);
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
}

export interface ToolDef {
  name: string;
  title?: string;
  description?: string;
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
  group: ToolGroup;
  /** The zod input schema, built once on first use. */
  schema(): z.ZodType;
  /** Whether the schema accepts `{}` and gives `{}`: decided once, on the first call without arguments. */
  acceptsNoArguments(): boolean;
  /** Answers a call whose arguments failed the schema (endpoint tools journal the refused write). */
  refuse(args: Record<string, unknown>, err: ToolError, ctx: ToolCallContext): CallToolResult;
  run(args: unknown, ctx: ToolCallContext): ToolResult | Promise<ToolResult>;
}

export interface RegisterOptions {
  group?: ToolGroup;
  refuse?: ToolDef['refuse'];
}

export type ToolCallback<S extends z.ZodType> = (
  args: z.output<S>,
  ctx: ToolCallContext,
) => ToolResult | Promise<ToolResult>;

export class ToolRegistry {
  private readonly defs = new Map<string, ToolDef>();

  registerTool<S extends z.ZodType>(
    name: string,
    config: ToolConfig<S>,
    cb: ToolCallback<S>,
    opts: RegisterOptions = {},
  ): void {
    if (this.defs.has(name)) throw new Error(`Tool ${name} is registered twice`);
    const make = config.inputSchema;
    let built: z.ZodType | undefined;
    let takesNothing: boolean | undefined;
    this.defs.set(name, {
      name,
      title: config.title,
      description: config.description,
      annotations: config.annotations,
      _meta: config._meta,
      group: opts.group ?? 'always',
      schema: () => (built ??= typeof make === 'function' ? (make as () => S)() : make),
      acceptsNoArguments() {
        takesNothing ??= parsesToNothing(this.schema());
        return takesNothing;
      },
      refuse: opts.refuse ?? ((_args, err) => fail(err)),
      run: cb as ToolDef['run'],
    });
  }

  get(name: string): ToolDef | undefined {
    return this.defs.get(name);
  }

  all(): ToolDef[] {
    return [...this.defs.values()];
  }

  /**
   * The tools a connection lists, in registration order: those of its toolsets, less the app-only ones (MCP Apps
   * `visibility: ["app"]`) for a client that renders no apps: there no app could call them, and the model must not.
   */
  visible(connection: Pick<Connection, 'enabled'>, rendersApps: boolean): ToolDef[] {
    return this.all().filter((d) => connection.enabled.has(d.group) && (rendersApps || !appOnly(d)));
  }

  /**
   * tools/call: validate the arguments (null for an optional parameter means absent),
   * then run the tool. Every failure is a tool result with `structuredContent.error`.
   */
  async call(name: string, rawArgs: Record<string, unknown> | undefined, ctx: ToolCallContext): Promise<ToolResult> {
    const def = this.defs.get(name);
    if (!def)
      return fail(
        new ToolError('validation', `Unknown tool "${name}".`, {
          hint: 'Call tools/list for the tools this server has.',
        }),
      );
    if (!ctx.connection.enabled.has(def.group))
      return fail(
        new ToolError('validation', `Tool "${name}" is not enabled on this connection.`, {
          hint:
            def.group === 'dynamic'
              ? 'Start the server with --toolsets dynamic.'
              : `Call enable_toolset with toolset "${def.group}" first, or start the server with that toolset.`,
        }),
      );
    try {
      const args = withoutNulls(rawArgs ?? {});
      // A call without arguments (every read of a whole account) gets the verdict the
      // schema gave the first one: our schemas are pure, so it is the same each time.
      const verdict =
        isEmpty(args) && def.acceptsNoArguments()
          ? { success: true as const, data: {} }
          : parseArguments(def.schema(), args);
      const parsed = verdict instanceof Promise ? await verdict : verdict;
      if (!parsed.success) return def.refuse(args, validationFailure(name, parsed.error.issues), ctx);
      return await def.run(parsed.data, ctx);
    } catch (err) {
      return fail(err);
    }
  }
}

/**
 * The schema's verdict, synchronously when it can be given so (every schema of ours):
 * no promise and no extra turns of the event loop per call (issue 23). A schema with
 * an async refinement makes zod throw $ZodAsyncError; it is then parsed
 * asynchronously, as the SDK parsed. (Our refinements have no side effects, so
 * running one twice changes nothing.)
 */
function parseArguments(
  schema: z.ZodType,
  args: Record<string, unknown>,
): z.ZodSafeParseResult<unknown> | Promise<z.ZodSafeParseResult<unknown>> {
  try {
    return schema.safeParse(args);
  } catch (err) {
    if (err instanceof zod.core.$ZodAsyncError) return schema.safeParseAsync(args);
    throw err;
  }
}

/**
 * True when the schema accepts no arguments and gives none back (no defaults), so that
 * a call without arguments needs no parse of its own: ~30 µs of a call in a process's
 * first few hundred (zod runs jitless here; issue 23). Decided by the schema itself,
 * once. Our schemas have no side effects and read no outside state (prices, time,
 * TOOLS.md): their verdict on `{}` does not change. An async schema is parsed every time.
 */
function parsesToNothing(schema: z.ZodType): boolean {
  try {
    const verdict = schema.safeParse({});
    return verdict.success && isEmpty(verdict.data);
  } catch {
    return false;
  }
}

/** An object without any own key (a symbol or a non-enumerable one included). */
function isEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Reflect.ownKeys(value).length === 0;
}

/**
 * Top-level `null` means absent (interface.md §4): an agent that fills every optional parameter with null is not
 * refused.
 */
function withoutNulls(args: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(args)) {
    if (v !== null) continue;
    out ??= { ...args };
    delete out[k];
  }
  return out ?? args;
}

/** `orders[1].price` from zod's path `['orders', 1, 'price']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** The first schema issue as one refusal naming the parameter; further issues are appended to the message. */
export function validationFailure(tool: string, issues: readonly z.core.$ZodIssue[]): ToolError {
  const described = issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : undefined;
    const path = keys?.length ? formatPath([...issue.path, keys[0]]) : formatPath(issue.path);
    const message = keys?.length ? `unknown parameter${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` : issue.message;
    return { path, text: path ? `${path}: ${message}` : message };
  });
  const first = described[0] ?? { path: '', text: 'invalid arguments' };
  return new ToolError(
    'validation',
    `Invalid arguments for ${tool}: ${described.map((d) => d.text).join('; ')}. Nothing was sent.`,
    first.path ? { path: first.path } : {},
  );
}

/** Listed for the app only (MCP Apps): `_meta.ui.visibility` names the app and not the model. */
function appOnly(def: ToolDef): boolean {
  const visibility = (def._meta?.ui as { visibility?: unknown } | undefined)?.visibility;
  return Array.isArray(visibility) && !visibility.includes('model');
}
