/**
 * A harness for issue 23 (not part of `npm run bench`): cold start (spawn →
 * initialize → tools/list answered) of several builds of the server beside the OKX
 * peer and bare node, interleaved run by run, on the Node that runs this script.
 *
 *   node dist/bench/coldprobe.js [runs] label=path/to/entry.js[,NAME=value…] …
 *
 * NAME=value pairs are settings for that server, e.g. BINANCE_OPENING_CACHE=0.
 *
 * Set NODE_COMPILE_CACHE to a fresh folder to keep runs apart from other caches.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensurePeer, PEERS, peerSpec } from './peers.js';
import { RpcChild, type ServerSpec } from './rpc.js';
import { pct } from './stats.js';

const args = process.argv.slice(2);
const runs = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 15;
const work = mkdtempSync(join(tmpdir(), 'bmm-coldprobe-'));
const FLOOR =
  `let b='';process.stdin.setEncoding('utf8');process.stdin.on('data',d=>{b+=d;let ` +
  `i;while((i=b.indexOf('\\n'))>=0){const ` +
  `m=JSON.parse(b.slice(0,i));b=b.slice(i+1);if(m.id===undefined)continue;const ` +
  `result=m.method==='initialize'?{protocolVersion:m.params.protocolVersion,capabilities:{tools:{}},serverInfo:{name:'floor',version:'0'}}:{tools:[]};process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:m.id,result})+'\\n');}});`;

function ours(label: string, bin: string, settings: string[]): () => ServerSpec {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  const toolsMd = join(dir, 'TOOLS.md');
  writeFileSync(
    toolsMd,
    `# Probe\n\n## Binance Accounts\n\n### main\n- API Key: ${'a'.repeat(64)}\n- Secret: ${'b'.repeat(64)}\n- ` +
      `Environment: Mainnet\n`,
    { mode: 0o600 },
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    BINANCE_STATE_DIR: join(dir, 'state'),
    BINANCE_MAINNET_BASE_URL: 'http://127.0.0.1:9',
  };
  for (const kv of settings) env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
  for (const k of ['NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE', 'TMPDIR'])
    if (process.env[k]) env[k] = process.env[k];
  return () => ({ label, command: process.execPath, args: [resolve(bin), '--tools-md', toolsMd], env, cwd: dir });
}

async function main() {
  const specs: { label: string; spec: () => ServerSpec; ms: number[]; tools?: number }[] = [];
  for (const a of args) {
    const [label, ...rest] = a.split('=');
    const [bin, ...settings] = rest.join('=').split(',');
    specs.push({ label, spec: ours(label, bin, settings), ms: [] });
  }
  const okx = ensurePeer(PEERS[0], () => undefined);
  if (okx.available) specs.push({ label: 'okx', spec: () => peerSpec(okx, work), ms: [] });
  specs.push({
    label: 'floor',
    spec: () => ({
      label: 'floor',
      command: process.execPath,
      args: ['-e', FLOOR],
      env: { PATH: process.env.PATH },
      cwd: work,
    }),
    ms: [],
  });
  for (let r = 0; r <= runs; r++) {
    for (let j = 0; j < specs.length; j++) {
      const s = specs[(r + j) % specs.length];
      const c = new RpcChild(s.spec());
      try {
        await c.initialize(60_000);
        const tools = await c.listTools(60_000);
        if (r > 0) s.ms.push(performance.now() - c.spawnedAt);
        s.tools = tools.length;
      } finally {
        await c.close();
      }
    }
  }
  const fastestPeer = pct(specs.find((s) => s.label === 'okx')?.ms ?? [NaN], 50);
  console.log(`node ${process.version}, ${runs} runs each`);
  for (const s of specs)
    console.log(
      `${s.label.padEnd(14)} p50 ${pct(s.ms, 50).toFixed(1).padStart(6)} ms  min ${Math.min(...s.ms)
        .toFixed(1)
        .padStart(6)}  ${(pct(s.ms, 50) / fastestPeer).toFixed(2)}× okx  (${s.tools} tools)`,
    );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
