/**
 * How soon V8 compiles the code of a tool call to machine code (issue 23).
 *
 * V8 runs a function in its interpreter (and its baseline code) until the function has
 * used up a budget, then optimizes it: with TurboFan on Node 20; with Maglev, then
 * TurboFan, on later Nodes. A tools/call runs ~500 functions (the SDK, zod, the
 * pipeline, undici, Node's streams), and at V8's default budgets they reach optimized
 * code after 2,000–3,000 calls. Until then a call costs 2–3× the CPU it costs later:
 * measured with bench/latprobe.js, calls 100–1,100 of a fresh process spend ~1 ms of
 * CPU each against ~0.3 ms from the 3,000th call on. An agent's session is mostly
 * shorter than that, so nearly every call a user makes runs in that warm-up.
 *
 * So once the server is serving, the executable (bin.ts) lowers the budgets to a
 * quarter of V8's defaults (a third on Node 24, below). It does so after start-up, so
 * that the start itself (code run once) is compiled as before. What it costs: the same compiles, done sooner and
 * closer together, whose scratch memory glibc partly keeps. A third was the choice while
 * a quarter kept ~9 MB more RSS in one process of three or four; most of that was the
 * TurboFan recompile of undici's wasm parser landing among them, which wasm-tier.ts now
 * prevents. Measured again (bench/README.md): memory the same at a quarter as at a third
 * (Node 20, 2,000 calls, eight processes each: 69-70 MB), and (c) - (d) lower on every
 * Node (latprobe, margin account, Node 20 0.18-0.22 against 0.24-0.35 ms).
 *
 * Nothing is touched when Node was started with its own say on tiering (one of the
 * flags below, `--jitless`, `--max-opt`, `--no-opt`), or with V8's flags frozen
 * (setting one then aborts the process). A process that embeds the server keeps V8's
 * defaults: only the executable calls `tierUpSooner`.
 */
import { setFlagsFromString } from 'node:v8';
import { anyNodeFlag, nodeStartFlags } from './node-flags.js';

/**
 * The budgets by V8 line. V8 11.3 (Node 20) optimizes a function with TurboFan once it
 * has run `--interrupt-budget` bytes of bytecode (67,584). From V8 11.8 on (Node 21 and
 * later) the budgets are invocations' worth of bytecode: TurboFan 3,000, Maglev 400
 * (off on Node 22, on from Node 24), and after a change of a function's inline caches at
 * least 500 more invocations, which is what holds Node 24's tier-up back while a call's
 * code still meets new object shapes. A quarter of each, except where Maglev is on (V8
 * 13, Node 24 and later): there a quarter kept ~5 MB more RSS than a third after 10,000
 * calls (97-109 against 91-104 MB, six processes each), so a third.
 */
export function tierUpFlags(v8Version: string): string[] {
  if (/^11\.[0-7]\./.test(v8Version)) return ['--interrupt-budget=16896'];
  return Number(v8Version.split('.')[0]) >= 13
    ? [
        '--invocation-count-for-turbofan=1000',
        '--invocation-count-for-maglev=130',
        '--minimum-invocations-after-ic-update=170',
      ]
    : [
        '--invocation-count-for-turbofan=750',
        '--invocation-count-for-maglev=100',
        '--minimum-invocations-after-ic-update=125',
      ];
}

/** Node flags that leave tiering to V8: the user's own budgets or tiers, or frozen flags. */
const LEAVE_ALONE = anyNodeFlag([
  'interrupt-budget',
  'invocation-count-for-\\w+',
  'minimum-invocations-\\w+',
  'jitless',
  'max-opt',
  'no-opt',
  'no-(?:turbofan|maglev|sparkplug)',
  'freeze-flags-after-init',
]);

/**
 * Lowers V8's budgets for this process, unless Node was started with its own (`nodeFlags`:
 * what Node was started with). Returns the flags set, none when left alone.
 */
export function tierUpSooner(
  nodeFlags = nodeStartFlags(),
  v8Version = process.versions.v8,
  setFlags: (flags: string) => void = setFlagsFromString,
): string[] {
  if (LEAVE_ALONE.test(nodeFlags)) return [];
  const flags = tierUpFlags(v8Version);
  for (const f of flags) setFlags(f);
  return flags;
}
