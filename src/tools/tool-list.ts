/**
 * tools/list, as compact as it can be without losing meaning, and cheap to answer.
 *
 * An agent pays for every byte of the list, so each JSON Schema is compacted
 * (json-schema.ts: compact, and inside what every model provider accepts), and no
 * `execution` block only restates the default. The list is computed once per process; the build also
 * writes it to dist/tool-list.json, so the bundled server answers its first tools/list
 * without building any schema (endpoint schemas are built when a tool is first called).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type ListToolsResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { findEndpoint } from '../catalog/index.js';
import { VERSION } from '../version.js';
import { inputSchemaOf } from './endpoint-tools.js';
import { compactSchema } from './json-schema.js';

/** What the build writes to dist/tool-list.json: every tool the server can list. */
export interface ToolListFile {
  version: string;
  tools: Tool[];
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
