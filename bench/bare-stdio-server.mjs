// A harness for issue 23 (not part of `npm run bench`): the MCP SDK's stdio transport with
// no McpServer behind it, answering by hand, the floor for bench/memprobe.ts's GC figures
// (PROBE_BIN=bench/bare-stdio-server.mjs PROBE_TOOL=list_accounts PROBE_GC=1). With
// PROBE_ENV_IN_FLIGHT=1 each call keeps 50 objects across an await, as a handler would,
// to show that requests in flight alone need not be promoted.
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';

const inFlight = process.env.IN_FLIGHT === '1';
const transport = new StdioServerTransport();
transport.onmessage = async (m) => {
  if (m.id === undefined) return;
  let result;
  if (m.method === 'initialize')
    result = {
      protocolVersion: m.params.protocolVersion,
      capabilities: { tools: {} },
      serverInfo: { name: 'bare', version: '0' },
    };
  else if (m.method === 'tools/list') result = { tools: [{ name: 'list_accounts', inputSchema: { type: 'object' } }] };
  else {
    const held = inFlight ? Array.from({ length: 50 }, (_, i) => ({ i, s: `x${i}` })) : [];
    if (inFlight) await new Promise((r) => setImmediate(r));
    result = { content: [{ type: 'text', text: `{"accounts":[],"held":${held.length}}` }] };
  }
  await transport.send({ jsonrpc: '2.0', id: m.id, result });
};
await transport.start();
