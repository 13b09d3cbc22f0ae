/**
 * tools/list, computed once and kept: an agent pays for every byte of it, and the SDK
 * would rebuild 80 JSON Schemas on every request. The compaction is lossless for a
 * client: it drops the per-tool `$schema` URI and writes "string or number" decimals
 * as one `type` array instead of an `anyOf` of two schemas, and leaves out values
 * that only restate a default.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type ListToolsResult } from '@modelcontextprotocol/sdk/types.js';

type Json = Record<string, unknown>;

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

export function installCompactToolList(server: McpServer): void {
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, (req: unknown, extra: unknown) => Promise<ListToolsResult>> })._requestHandlers;
  const original = handlers.get('tools/list');
  if (!original) return;
  let cached: ListToolsResult | undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, async (req, extra) => {
    if (!cached) {
      const full = await original(req, extra);
      cached = {
        ...full,
        tools: full.tools.map(({ execution, ...t }) => ({
          ...t,
          // `taskSupport: forbidden` is what an absent `execution` means; leave it out.
          ...(execution && execution.taskSupport !== 'forbidden' ? { execution } : {}),
          inputSchema: compactSchema(t.inputSchema) as ListToolsResult['tools'][number]['inputSchema'],
        })),
      };
    }
    return cached;
  });
}
