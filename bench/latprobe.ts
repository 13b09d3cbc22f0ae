/**
 * A harness for issue 23 (not part of `npm run bench`): the bench's per-call section
 * alone, (c) our server over stdio against (d) the bare relay (bench/relay.ts), one
 * call at a time, interleaved call by call, against the bench's stand-in process.
 * Prints each path's p50 and (c) − (d) per round, so that a change can be judged
 * against the machine's noise in a minute rather than a full bench run.
 * PROBE_BIN: another build of the server; PROBE_ENV_X=v: X=v in the server's
 * environment; PROBE_NODE_ARGS: node flags for the server; PROBE_TOOL / PROBE_PATH:
 * another read (default get_bnb_burn_status, /sapi/v1/bnbBurn; the bench's other one is
 * get_cross_margin_account, /sapi/v1/margin/account, 300 calls, weight 10); PROBE_WORST=n: the
 * n slowest calls of each path.
 *
 *   node dist/bench/latprobe.js [calls per round] [rounds]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RpcChild } from './rpc.js';
import { pct } from './stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.PROBE_BIN ? resolve(process.env.PROBE_BIN) : join(HERE, '..', 'binance-margin-mcp.js');
const CALLS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 3);
const TOOL = process.env.PROBE_TOOL ?? 'get_bnb_burn_status';
const PATH = process.env.PROBE_PATH ?? '/sapi/v1/bnbBurn';
// PROBE_GAP_MODE: spin (default), sleep, or thrash (walk a 32 MB buffer, evicting the caches).
const GAP_MODE = process.env.PROBE_GAP_MODE ?? 'spin';
const THRASH = new Uint8Array(GAP_MODE === 'thrash' ? 32 << 20 : 0);

async function main() {
  const apiKey = randomBytes(32).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const standin = fork(join(HERE, 'standin.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (msg: Record<string, unknown>) =>
    new Promise<any>((res) => {
      standin.on('message', function on(m: any) {
        if (m.id !== msg.id) return;
        standin.off('message', on);
        res(m);
      });
      standin.send(msg);
    });
  await new Promise((r) => standin.once('message', r));
  const { url } = await ask({ id: 1, cmd: 'start', apiKey, secret, ipWeightLimit: 1e9, uidWeightLimit: 1e9 });
  const dir = mkdtempSync(join(tmpdir(), 'bmm-latprobe-'));
  const toolsMd = join(dir, 'TOOLS.md');
  writeFileSync(
    toolsMd,
    `# Probe\n\n## Binance Accounts\n\n### main\n- API Key: ${apiKey}\n- Secret: ${secret}\n- Environment: Mainnet\n`,
    { mode: 0o600 },
  );
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const ours = new RpcChild({
    label: 'ours',
    command: process.execPath,
    args: [...(process.env.PROBE_NODE_ARGS ?? '').split(' ').filter(Boolean), BIN, '--tools-md', toolsMd],
    env: {
      ...base,
      HOME: dir,
      BINANCE_STATE_DIR: join(dir, 'state'),
      BINANCE_MAINNET_BASE_URL: url,
      ...Object.fromEntries(
        Object.entries(process.env)
          .filter(([k]) => k.startsWith('PROBE_ENV_'))
          .map(([k, v]) => [k.slice('PROBE_ENV_'.length), v]),
      ),
    },
    cwd: dir,
  });
  const relay = new RpcChild({
    label: 'relay',
    command: process.execPath,
    args: [join(HERE, 'relay.js')],
    env: { ...base, RELAY_URL: url, RELAY_PATH: PATH, RELAY_KEY: apiKey, RELAY_SECRET: secret },
    cwd: dir,
  });
  ours.child.stderr!.on('data', (d: string) => process.env.PROBE_STDERR === '1' && process.stderr.write(d));
  // Node's --trace-gc writes to stdout: its lines (not JSON-RPC) go to stderr.
  ours.child.stdout!.on('data', (d: string) => {
    for (const l of d.split('\n')) if (l.startsWith('[')) process.stderr.write(`${l}\n`);
  });
  for (const c of [ours, relay]) {
    await c.initialize();
    await c.listTools();
  }
  // PROBE_GAP_US: busy-wait this long in this process before each call, as the bench's
  // other paths (a), (b) and (e) keep the machine busy between two calls of (c).
  const gapMs = Number(process.env.PROBE_GAP_US ?? 0) / 1000;
  const starts = new Map<RpcChild, number[]>();
  const call = async (c: RpcChild) => {
    if (gapMs > 0 && GAP_MODE === 'sleep') await new Promise((r) => setTimeout(r, gapMs));
    else if (gapMs > 0 && GAP_MODE === 'thrash')
      for (let end = performance.now() + gapMs, i = 0; performance.now() < end; i = (i + 4096) % THRASH.length)
        THRASH[i]++;
    else if (gapMs > 0) for (const end = performance.now() + gapMs; performance.now() < end; );
    if (process.env.PROBE_WORST) starts.set(c, [...(starts.get(c) ?? []), performance.now() - c.spawnedAt]);
    const r = await c.callTool(TOOL, {});
    if (r.result?.isError) throw new Error(JSON.stringify(r.result).slice(0, 300));
    return r.ms;
  };
  // PROBE_WARM: calls before the first round (the bench makes 30).
  for (let i = 0; i < Number(process.env.PROBE_WARM ?? 30); i++) for (const c of [ours, relay]) await call(c);
  const diffs: number[] = [];
  // CPU time (user + system) of a child's main thread and of its other threads (V8's
  // compiler and GC helpers, libuv's pool), and its minor page faults, from /proc.
  const usage = (c: RpcChild) => {
    const stat = (file: string) => readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
    let others = 0;
    for (const t of readdirSync(`/proc/${c.child.pid}/task`)) {
      if (t === String(c.child.pid)) continue;
      const f = stat(`/proc/${c.child.pid}/task/${t}/stat`);
      others += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    }
    const f = stat(`/proc/${c.child.pid}/task/${c.child.pid}/stat`);
    return { user: Number(f[11]) * 10, sys: Number(f[12]) * 10, others };
  };
  for (let round = 0; round < ROUNDS; round++) {
    const before = [usage(ours), usage(relay)];
    const xs: number[][] = [[], []];
    for (let i = 0; i < CALLS; i++) {
      const first = i % 2;
      xs[first]!.push(await call(first ? relay : ours));
      xs[1 - first]!.push(await call(first ? ours : relay));
    }
    const [c, d] = xs.map((x) => pct(x, 50));
    diffs.push(c! - d!);
    const per = [ours, relay].map((p, k) => {
      const u = usage(p);
      const us = (ms: number) => ((ms / CALLS) * 1000).toFixed(0);
      return `user ${us(u.user - before[k]!.user)} sys ${us(u.sys - before[k]!.sys)} others ${us(u.others - before[k]!.others)} µs`;
    });
    // PROBE_WORST=n: the n slowest calls of each path, as call number: ms (what sets a p99).
    const worst = Number(process.env.PROBE_WORST ?? 0);
    if (worst)
      for (const [k, label] of ['ours', 'relay'].entries())
        console.log(
          `  slowest of ${label}: ${xs[k]!.map((ms, i) => [i, ms] as const)
            .sort((a, b) => b[1] - a[1])
            .slice(0, worst)
            .map(([i, ms]) => {
              const at = starts.get(k ? relay : ours)?.[Number(process.env.PROBE_WARM ?? 30) + round * CALLS + i];
              return `#${i} ${ms.toFixed(1)}${at === undefined ? '' : ` (at ${Math.round(at)} ms)`}`;
            })
            .join(', ')}`,
        );
    console.log(
      `round ${round + 1}: (c) ${c!.toFixed(3)}  (d) ${d!.toFixed(3)}  (c) − (d) ${(c! - d!).toFixed(3)} ms; ` +
        `per call: ours ${per[0]}, relay ${per[1]}`,
    );
  }
  console.log(`(c) − (d) p50 over ${ROUNDS} rounds: median ${pct(diffs, 50).toFixed(3)} ms`);
  await ours.close();
  await relay.close();
  await ask({ id: 2, cmd: 'exit' });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
