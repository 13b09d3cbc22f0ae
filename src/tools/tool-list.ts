/**
 * tools/list, as compact as it can be without losing meaning, and cheap to answer.
 *
 * An agent pays for every byte of the list, so each JSON Schema is compacted
 * (json-schema.ts: compact, and inside what every model provider accepts). The build
 * writes every tool the server can list to dist/tool-list.json (scripts/gen-tool-list.ts,
 * through describeTools below), so the bundled server answers tools/list without building
 * any schema (an endpoint's schema is built when its tool is first called).
 */
import type { ListToolsResult, Tool } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { VERSION } from '../version.js';
import { compactSchema } from './json-schema.js';
import type { Connection, ToolDef, ToolRegistry } from './registry.js';

/** What the build writes to dist/tool-list.json: every tool the server can list. */
export interface ToolListFile {
  version: string;
  tools: Tool[];
}

/** One tool's definition as tools/list gives it (this builds its schema). */
export function describeTool(def: ToolDef): Tool {
  const inputSchema = compactSchema(
    z.toJSONSchema(def.schema(), { target: 'draft-7', io: 'input' }),
  ) as Tool['inputSchema'];
  return {
    name: def.name,
    ...(def.title !== undefined ? { title: def.title } : {}),
    ...(def.description !== undefined ? { description: def.description } : {}),
    inputSchema,
    ...(def.annotations ? { annotations: def.annotations } : {}),
    ...(def._meta ? { _meta: def._meta } : {}),
  };
}

/** Every registered tool, described: what the build writes for the bundle. */
export function describeTools(registry: ToolRegistry): ToolListFile {
  return { version: VERSION, tools: registry.all().map(describeTool) };
}

/**
 * Answers tools/list for a connection: from the prebuilt file when it is of this
 * version and knows every tool, else built from the schemas (once per set of
 * enabled toolsets; the definitions never change while the process runs).
 */
export class ToolLister {
  private readonly prebuilt?: Map<string, Tool>;
  private readonly built = new Map<string, Tool>();
  private readonly answers = new Map<string, ListToolsResult>();

  constructor(
    private readonly registry: ToolRegistry,
    prebuilt?: ToolListFile,
  ) {
    if (prebuilt && prebuilt.version === VERSION) this.prebuilt = new Map(prebuilt.tools.map((t) => [t.name, t]));
  }

  list(connection: Pick<Connection, 'enabled'>, rendersApps: boolean): ListToolsResult {
    const key = `${[...connection.enabled].sort().join(',')}${rendersApps ? '+apps' : ''}`;
    let answer = this.answers.get(key);
    if (!answer) {
      answer = { tools: this.registry.visible(connection, rendersApps).map((d) => this.describe(d)) };
      this.answers.set(key, answer);
    }
    return answer;
  }

  private describe(def: ToolDef): Tool {
    const ready = this.prebuilt?.get(def.name) ?? this.built.get(def.name);
    if (ready) return ready;
    const tool = describeTool(def);
    this.built.set(def.name, tool);
    return tool;
  }
}
