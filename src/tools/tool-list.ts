/**
 * tools/list, as compact as it can be without losing meaning, and cheap to answer.
 *
 * An agent pays for every byte of the list, so each JSON Schema is compacted
 * losslessly: no per-tool `$schema` URI, no safe-integer bounds, "string or number"
 * decimals as one `type` array, enums without `type`, and no `execution` block that
 * only restates the default. The list is computed once per process; the build also
 * writes it to dist/tool-list.json, so the bundled server answers its first tools/list
 * without building any schema (endpoint schemas are built when a tool is first called).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type ListToolsResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { findEndpoint } from '../catalog/index.js';
import { VERSION } from '../version.js';
import { inputSchemaOf } from './endpoint-tools.js';

type Json = Record<string, unknown>;

/** What the build writes to dist/tool-list.json: every tool the server can list. */
export interface ToolListFile {
  version: string;
  tools: Tool[];
}

export function compactSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compactSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const s = { ...(schema as Json) };
  delete s.$schema;
  // zod writes JavaScript's safe-integer bounds on every integer; they say nothing to an agent.
  if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
  if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
  // An enum of strings needs no `type: string` beside it.
  if (Array.isArray(s.enum) && s.type === 'string' && s.enum.every((v) => typeof v === 'string')) delete s.type;
  const anyOf = s.anyOf as Json[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length === 2 && anyOf.every((a) => Object.keys(a).length === 1 && typeof a.type === 'string')) {
    delete s.anyOf;
    s.type = anyOf.map((a) => a.type);
  }
  for (const [k, v] of Object.entries(s)) if (v && typeof v === 'object') s[k] = compactSchema(v);
  return s;
}

function compactTool({ execution, ...tool }: Tool): Tool {
  const endpoint = findEndpoint(tool.name);
  // Endpoint tools are registered with lazy schemas; their JSON Schema comes from the catalog.
  const inputSchema = endpoint ? z.toJSONSchema(inputSchemaOf(endpoint), { target: 'draft-7', io: 'input' }) : tool.inputSchema;
  return {
    ...tool,
    // `taskSupport: forbidden` is what an absent `execution` means.
    ...(execution && execution.taskSupport !== 'forbidden' ? { execution } : {}),
    inputSchema: compactSchema(inputSchema) as Tool['inputSchema'],
  };
}

export function installToolList(server: McpServer, prebuilt?: ToolListFile): void {
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, (req: unknown, extra: unknown) => Promise<ListToolsResult>> })._requestHandlers;
  const sdkList = handlers.get('tools/list');
  if (!sdkList) return;
  const registered = () => Object.entries((server as unknown as { _registeredTools: Record<string, { enabled: boolean }> })._registeredTools).filter(([, t]) => t.enabled).map(([name]) => name);
  let cached: ListToolsResult | undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, async (req, extra) => {
    if (!cached) {
      if (prebuilt && prebuilt.version === VERSION) {
        const byName = new Map(prebuilt.tools.map((t) => [t.name, t]));
        const names = registered();
        if (names.every((n) => byName.has(n))) cached = { tools: names.map((n) => byName.get(n)!) };
      }
      cached ??= { tools: (await sdkList(req, extra)).tools.map(compactTool) };
    }
    return cached;
  });
}
