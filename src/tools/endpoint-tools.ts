/**
 * One MCP tool per catalog entry, generated: a strict zod object of the endpoint's
 * parameters plus `account`, the `binance/endpoint` tag, annotations from the
 * entry's nature, and a handler that hands the call to the pipeline.
 */
import type { ToolAnnotations } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { CATALOG, endpointId, paramsOf, type Endpoint, type Toolset } from '../catalog/index.js';
import { identifier, toolInput } from '../catalog/params.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { ToolRegistry } from './registry.js';

/** Every endpoint tool's `account`; the server instructions explain it once instead of 65 times. */
export const accountParam = () => identifier(z.string()).optional();

/** The endpoints a server with these options exposes. */
export function exposedEndpoints(opts: { toolsets: readonly Toolset[]; readOnly: boolean }): Endpoint[] {
  return CATALOG.filter((e) => opts.toolsets.includes(e.toolset) && !(opts.readOnly && e.write));
}

/**
 * MCP annotations: reads are read-only; writes say whether they destroy. Every tool
 * reaches Binance, which is what the spec's default openWorldHint (true) already says,
 * so it is not repeated 65 times.
 */
export function annotationsOf(e: Endpoint): ToolAnnotations {
  return e.write ? { readOnlyHint: false, destructiveHint: !!e.destructive } : { readOnlyHint: true };
}

export function inputSchemaOf(e: Endpoint) {
  return toolInput({ ...paramsOf(e), account: accountParam() });
}

export function registerEndpointTools(
  server: ToolRegistry,
  pipeline: Pipeline,
  opts: { toolsets: readonly Toolset[]; readOnly: boolean },
): void {
  for (const e of exposedEndpoints(opts)) {
    server.registerTool(
      e.name,
      {
        title: e.title,
        description: e.description,
        // Built on the first call: listing tools needs no schema (see tool-list.ts).
        inputSchema: () => inputSchemaOf(e),
        annotations: annotationsOf(e),
        _meta: { 'binance/endpoint': endpointId(e) },
      },
      (args: Record<string, unknown>, { session }) => {
        // A 2026-07-28 client retrying a confirmation round carries the sealed request state.
        const round = e.write ? session.resumed?.() : undefined;
        return round
          ? pipeline.confirmSealed(e, args, round.state, round.typed, session.principal)
          : pipeline.callEndpoint(e, args, session);
      },
      { group: e.toolset, refuse: (args, err) => pipeline.refuseArguments(e, args, err) },
    );
  }
}
