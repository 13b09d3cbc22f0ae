// A harness for issue 23 (not part of `npm run bench`): what a read of the journal costs
// with a long monthly file. The daily cap reads it for every Mainnet write (inside the
// account's lock), and start-up reads it for unresolved writes. The first read parses the
// file; later reads parse only what was appended (src/safety/journal.ts).
//   npm run build && node bench/journal-read.mjs [lines]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../dist/src/safety/journal.js';
const dir = mkdtempSync(join(tmpdir(), 'jb-'));
mkdirSync(join(dir, 'journal'));
const month = new Date().toISOString().slice(0, 7);
const N = Number(process.argv[2] ?? 40000);
let text = '';
for (let i = 0; i < N; i++)
  text += `${JSON.stringify({
    time: new Date(Date.now() - (N - i) * 60_000).toISOString(),
    id: `id-${i}`,
    phase: i % 2 ? 'result' : 'intent',
    account: 'main',
    environment: 'mainnet',
    endpoint: 'POST /sapi/v1/margin/order',
    tool: 'place_order',
    params: {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '60000',
      newClientOrderId: `agent-${i}`,
    },
    clientOrderId: `agent-${i}`,
    summary: 'BUY 0.01 BTCUSDT LIMIT at 60000 GTC, on main (Mainnet)',
    valueUsdt: 600,
    status: 'ok',
  })}\n`;
writeFileSync(join(dir, 'journal', `${month}.jsonl`), text);
const j = new Journal(dir);
let t = performance.now();
j.valueSince('main', Date.now() - 86_400_000);
const first = performance.now() - t;
j.append(
  {
    id: 'x',
    phase: 'intent',
    account: 'main',
    environment: 'mainnet',
    endpoint: 'e',
    tool: 't',
    params: {},
    valueUsdt: 1,
  },
  true,
);
t = performance.now();
for (let k = 0; k < 20; k++) j.valueSince('main', Date.now() - 86_400_000);
const next = (performance.now() - t) / 20;
console.log(
  `${N} lines (${(text.length / 1048576).toFixed(1)} MB): first read ${first.toFixed(1)} ms (what every read cost before), later reads ${next.toFixed(2)} ms; heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`,
);
