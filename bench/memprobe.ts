/**
 * A harness for issue 23 (not part of `npm run bench`): starts the built server
 * against an in-process sandbox stand-in, makes N `get_bnb_burn_status` calls (8 in
 * flight, as the bench's memory section does) and prints RSS every 1,000 calls.
 * Node flags for the server go in PROBE_NODE_ARGS (e.g. `--trace-gc`, `--cpu-prof`);
 * PROBE_SNAP=1 starts it with --heapsnapshot-signal=SIGUSR2 and takes a heap snapshot
 * before the first call, after 2,000 calls and at the end (written into PROBE_DIR, default a temp folder).
 * PROBE_ERA=2026 talks as a 2026-07-28 client (the envelope on every request).
 *
 *   node dist/bench/memprobe.js [calls]
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { startSandbox } from '../src/sandbox/index.js';
import { RpcChild } from './rpc.js';
import { pct } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.PROBE_BIN ? resolve(process.env.PROBE_BIN) : join(ROOT, 'dist', 'binance-margin-mcp.js');
const CALLS = Number(process.argv[2] ?? 10_000);
const SNAP = process.env.PROBE_SNAP === '1';
const GC = process.env.PROBE_GC === '1';
const DIR = process.env.PROBE_DIR ? resolve(process.env.PROBE_DIR) : mkdtempSync(join(tmpdir(), 'bmm-memprobe-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** RSS in parts on Linux (anonymous, file-backed such as the node binary's pages, shared memory): `(a41+f20+s0)`. */
function rssParts(pid: number | undefined): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (k: string) => Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
    return `(a${mb('RssAnon')}+f${mb('RssFile')}+s${mb('RssShmem')})`;
  } catch {
    return '';
  }
}

async function main() {
  mkdirSync(DIR, { recursive: true });
  const apiKey = randomBytes(32).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const sb = await startSandbox({ ipWeightLimit: 1e9, uidWeightLimit: 1e9 });
  sb.addHmacKey(apiKey, secret, 'main');
  const toolsMd = join(DIR, 'TOOLS.md');
  writeFileSync(
    toolsMd,
    `# Probe\n\n## Binance Accounts\n\n### main\n- API Key: ${apiKey}\n- Secret: ${secret}\n- Environment: Mainnet\n`,
    { mode: 0o600 },
  );
  const nodeArgs = (process.env.PROBE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (SNAP) nodeArgs.push('--heapsnapshot-signal=SIGUSR2');
  if (GC) nodeArgs.push('--trace-gc-nvp');
  const c = new RpcChild({
    label: 'probe',
    command: process.execPath,
    args: [...nodeArgs, BIN, '--tools-md', toolsMd],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: DIR,
      BINANCE_STATE_DIR: join(DIR, 'state'),
      BINANCE_MAINNET_BASE_URL: sb.url,
      // For PROBE_BIN=dist/bench/relay.js (the per-call floor: one signed undici GET, no SDK).
      RELAY_URL: sb.url,
      RELAY_PATH: '/sapi/v1/bnbBurn',
      RELAY_KEY: apiKey,
      RELAY_SECRET: secret,
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'LOG_LEVEL' || k.startsWith('ALLOC_'))),
      ...Object.fromEntries(
        Object.entries(process.env)
          .filter(([k]) => k.startsWith('PROBE_ENV_'))
          .map(([k, v]) => [k.slice('PROBE_ENV_'.length), v]),
      ),
    },
    cwd: DIR,
  });
  c.child.stderr!.on('data', (d: string) => process.env.PROBE_STDERR === '1' && process.stderr.write(d));
  // --trace-gc writes to stdout: pass its lines (not JSON-RPC) on to stderr, or tally them (PROBE_GC).
  const scavenges: { allocated: number; survived: number; promoted: number }[] = [];
  c.child.stdout!.on('data', (d: string) => {
    for (const l of d.split('\n')) {
      if (!l.startsWith('[')) continue;
      if (!GC) process.stderr.write(`${l}\n`);
      else if (/ gc=s /.test(l)) {
        const field = (name: string) => Number(new RegExp(` ${name}=(\\d+)`).exec(l)?.[1] ?? 0);
        scavenges.push({
          allocated: field('allocated'),
          survived: field('new_space_survived'),
          promoted: field('promoted'),
        });
      }
    }
  });
  // PROBE_ERA=2026: a 2026-07-28 client (no initialize; every request carries the envelope).
  const envelope =
    process.env.PROBE_ERA === '2026'
      ? {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'memprobe', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        }
      : undefined;
  if (envelope) await c.request('tools/list', envelope);
  else {
    await c.initialize();
    await c.listTools();
  }
  await sleep(500);
  const line: string[] = [`0:${Math.round(c.rssKb()! / 1024)}M${rssParts(c.pid)}`];
  const snap = async (label: string) => {
    if (!SNAP) return;
    process.kill(c.pid!, 'SIGUSR2');
    await sleep(3000);
    process.stderr.write(`snapshot ${label} requested\n`);
  };
  await snap('0');
  let next = 0;
  const name = process.env.PROBE_TOOL ?? 'get_bnb_burn_status';
  const lat: number[] = [];
  // PROBE_STEP: RSS every this many calls (1,000); the last reading is at the N-th call, never past it.
  const step = Number(process.env.PROBE_STEP ?? 1000);
  if (!Number.isInteger(step) || step < 1)
    throw new Error(`PROBE_STEP: ${process.env.PROBE_STEP} is not a whole number of calls`);
  const t0 = performance.now();
  for (let done = 0; done < CALLS; done += step) {
    const stop = Math.min(done + step, CALLS);
    await Promise.all(
      Array.from({ length: Number(process.env.PROBE_CONC ?? 8) }, async () => {
        while (next < stop) {
          next++;
          const r = envelope
            ? await c.request('tools/call', { name, arguments: {}, ...envelope })
            : await c.callTool(name, {});
          lat.push(r.ms);
          if (r.result?.isError) throw new Error(JSON.stringify(r.result).slice(0, 300));
        }
      }),
    );
    line.push(`${stop}:${Math.round(c.rssKb()! / 1024)}M`);
    if (stop === 2000 || stop === CALLS - 2000) await snap(String(stop));
  }
  const ms = performance.now() - t0;
  // PROBE_IDLE_MS: how long to wait before the idle reading (default 2 s).
  await sleep(Number(process.env.PROBE_IDLE_MS ?? 2000));
  line.push(`idle:${Math.round(c.rssKb()! / 1024)}M${rssParts(c.pid)}`);
  await snap('end');
  const steady = scavenges.slice(10);
  const per = (k: 'allocated' | 'survived' | 'promoted') => steady.reduce((a, x) => a + x[k], 0) / steady.length / 1024;
  if (GC)
    console.log(
      steady.length
        ? `${steady.length} scavenges past the 10th: per scavenge ${(per('allocated') / 1024).toFixed(1)} MB ` +
            `allocated, ${per('survived').toFixed(0)} KB kept young, ${per('promoted').toFixed(0)} KB promoted`
        : 'fewer than 11 scavenges',
    );
  console.log(
    `${line.join(' ')}  (${Math.round((CALLS / ms) * 1000)} calls/s, p50 ${pct(lat, 50).toFixed(3)} ` +
      `ms, first call ${lat[0]!.toFixed(1)} ms)${SNAP ? `; snapshots in ${DIR}` : ''}`,
  );
  await c.close();
  await sb.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
