/**
 * CORS for a browser client on an allowed origin (a page on localhost, the MCP Inspector
 * in a browser). The origin itself is checked before this (DNS-rebinding protection,
 * src/http/server.ts); here the answers name it, let the page read the session id, and a
 * preflight is answered without a token (browsers send none with it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a page may send across origins (the preflight) … */
const ALLOWED_HEADERS = 'authorization, content-type, accept, mcp-session-id, mcp-protocol-version, last-event-id';
/** … and read from the answers. */
const EXPOSED_HEADERS = 'mcp-session-id, mcp-protocol-version, www-authenticate, retry-after';

/** Sets the CORS headers for a request with an Origin; returns the answer to a preflight. */
export function corsFor(req: IncomingMessage, res: ServerResponse): Response | undefined {
  if (!req.headers.origin) return undefined;
  res.setHeader('access-control-allow-origin', req.headers.origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  if (req.method !== 'OPTIONS') return undefined;
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
    },
  });
}
