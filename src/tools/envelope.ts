/**
 * Tool results as docs/contract.md §4 fixes them: structuredContent, and the same object
 * as JSON text. Everything passes the redactor on the way out.
 */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { ToolError } from '../errors.js';
import { redactor } from '../safety/redact.js';

export function ok(structured: Record<string, unknown>): CallToolResult {
  // Serialize once; only a result that may hold a credential is deep-copied and scrubbed.
  const text = JSON.stringify(structured);
  if (!redactor.mayHold(text)) return { content: [{ type: 'text', text }], structuredContent: structured };
  const clean = redactor.scrub(structured);
  return { content: [{ type: 'text', text: JSON.stringify(clean) }], structuredContent: clean };
}

export function fail(err: unknown): CallToolResult {
  const error =
    err instanceof ToolError
      ? err.toJSON()
      : { kind: 'config', message: `Internal error: ${err instanceof Error ? err.message : String(err)}` };
  const clean = redactor.scrub({ error: dropUndefined(error) });
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(clean) }], structuredContent: clean };
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
