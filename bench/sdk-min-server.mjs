// A harness for issue 23 (not part of `npm run bench`): the smallest server on the MCP SDK's
// v2 line, one tool answering a constant, on stdio. Run under bench/memprobe.ts
// (PROBE_BIN=bench/sdk-min-server.mjs PROBE_TOOL=list_accounts) it shows the same RSS
// growth under load as ours, which bare node answering by hand does not.
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
const server = new McpServer({ name: 'min', version: '0' }, { capabilities: { tools: {} } });
server.server.setRequestHandler('tools/list', () => ({
  tools: [{ name: 'list_accounts', inputSchema: { type: 'object' } }],
}));
server.server.setRequestHandler('tools/call', async () => ({
  content: [{ type: 'text', text: '{"accounts":[]}' }],
  structuredContent: { accounts: [] },
}));
await server.connect(new StdioServerTransport());
