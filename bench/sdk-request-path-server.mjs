// A harness for issue 23 (not part of `npm run bench`): the smallest server on the MCP SDK's
// v2 line (bench/sdk-min-server.mjs) with `tools/call` served by a stand-in for the SDK's
// Protocol._onrequest that keeps only the parts named in VARIANT (comma-separated), to see
// which part makes requests in flight survive young-generation GCs:
//   ac      an AbortController per request (the SDK makes one)
//   signal  its signal on the handler's context (as the SDK puts it)
//   map     the controller kept in a Map until the answer (as the SDK keeps it)
// Run: PROBE_BIN=bench/sdk-request-path-server.mjs PROBE_TOOL=list_accounts PROBE_GC=1
//      PROBE_ENV_VARIANT=ac,signal,map node dist/bench/memprobe.js 40000
// On Node 22 (2026-12-07, 40,000 calls): ac,signal,map promoted ~120–360 KB per scavenge;
// ac,signal ~15–30 KB; ac,map ~30–65 KB; none ~20–25 KB (bench/README.md). The build's lazy AbortController
// (src/sdk-lazy-abort.ts) is what the bundle does about it.
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';

const parts = new Set((process.env.VARIANT ?? '').split(','));
const server = new McpServer({ name: 'min', version: '0' }, { capabilities: { tools: {} } });
server.server.setRequestHandler('tools/list', () => ({
  tools: [{ name: 'list_accounts', inputSchema: { type: 'object' } }],
}));
server.server.setRequestHandler('tools/call', async () => ({
  content: [{ type: 'text', text: '{"accounts":[]}' }],
}));
const transport = new StdioServerTransport();
await server.connect(transport);
const protocol = server.server;
// Messages go straight to the request and notification paths (no zod message guards).
transport.onmessage = (m) => {
  if ('method' in m && 'id' in m) protocol._onrequest(m);
  else if ('method' in m) protocol._onnotification(m);
  else protocol._onresponse(m);
};
const sdkOnRequest = protocol._onrequest.bind(protocol);
const inFlight = new Map();
protocol._onrequest = function (request, extra) {
  if (request.method !== 'tools/call') return sdkOnRequest(request, extra);
  const wire = this._transport;
  const handler = this._requestHandlers.get('tools/call');
  const controller = parts.has('ac') ? new AbortController() : { signal: undefined };
  if (parts.has('map')) inFlight.set(request.id, controller);
  const ctx = {
    mcpReq: {
      id: request.id,
      method: request.method,
      requestState: () => undefined,
      signal: parts.has('signal') ? controller.signal : undefined,
    },
  };
  Promise.resolve()
    .then(() => handler(request, ctx))
    .then((result) => wire.send({ jsonrpc: '2.0', id: request.id, result }))
    .finally(() => inFlight.delete(request.id));
};
