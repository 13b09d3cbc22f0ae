/**
 * The per-call floor: a bare node process that answers an MCP `tools/call` over stdio
 * by doing exactly path (a) — one HMAC-signed undici GET to the stand-in — and
 * returning Binance's JSON as `structuredContent` plus the same JSON as text, the
 * shape our server returns. No SDK, no validation, no pipeline: what any stdio MCP
 * server pays for the extra process hop on this machine. Env: RELAY_URL, RELAY_PATH,
 * RELAY_KEY, RELAY_SECRET; RELAY_SPIN_US (harness only) busy-waits that long before the
 * request, to show what in-process work per call costs in latency here.
 */
import { createHmac } from 'node:crypto';
import { Pool } from 'undici';

const { RELAY_URL = '', RELAY_PATH = '', RELAY_KEY = '', RELAY_SECRET = '' } = process.env;
const SPIN_MS = Number(process.env.RELAY_SPIN_US ?? 0) / 1000;
const pool = new Pool(RELAY_URL, { connections: 16, pipelining: 1, keepAliveTimeout: 30_000 });
const reply = (msg: unknown): void => void process.stdout.write(`${JSON.stringify(msg)}\n`);

async function handle(msg: { id?: number; method?: string; params?: { protocolVersion?: string } }): Promise<void> {
  if (msg.id === undefined) return;
  if (msg.method === 'initialize')
    return reply({
      jsonrpc: '2.0',
      id: msg.id,
      result: {
        protocolVersion: msg.params?.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: 'relay', version: '0' },
      },
    });
  if (msg.method === 'tools/list') return reply({ jsonrpc: '2.0', id: msg.id, result: { tools: [] } });
  if (SPIN_MS > 0) for (const end = performance.now() + SPIN_MS; performance.now() < end; );
  const query = `timestamp=${Date.now()}`;
  const signature = createHmac('sha256', RELAY_SECRET).update(query, 'utf8').digest('hex');
  const res = await pool.request({
    method: 'GET',
    path: `${RELAY_PATH}?${query}&signature=${signature}`,
    headers: { 'x-mbx-apikey': RELAY_KEY, 'user-agent': 'relay' },
  });
  const text = await res.body.text();
  const data = JSON.parse(text);
  const structured = { data };
  reply({
    jsonrpc: '2.0',
    id: msg.id,
    result: {
      content: [{ type: 'text', text: JSON.stringify(structured) }],
      structuredContent: structured,
      isError: res.statusCode !== 200,
    },
  });
}

let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buf += chunk;
  let nl: number;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    if (line.trim()) void handle(JSON.parse(line)).catch((err) => process.stderr.write(`relay: ${err}\n`));
  }
});
process.stdin.on('end', () => void pool.close().finally(() => process.exit(0)));
