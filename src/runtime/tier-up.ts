/**
 * How soon V8 compiles the code of a tool call to machine code (issue 23).
 *
 * V8 runs a function in its interpreter (and its baseline code) until the function has
 * used up a budget, then optimizes it: with TurboFan on Node 20 and 22; with Maglev, then
 * TurboFan, on Node 24. A tools/call runs ~500 functions (the SDK, zod, the pipeline,
 * undici, Node's streams), and at V8's default budgets they reach optimized code after
 * 2,000–3,000 calls. Until then a call costs 2–3× the CPU it costs later: measured with
 * bench/latprobe.js, calls 100–1,100 of a fresh process spend ~1 ms of CPU each against
 * ~0.3 ms from the 3,000th call on. An agent's session is mostly shorter than that, so
 * nearly every call a user makes runs in that warm-up.
 *
 * So the executable (bin.ts) lowers the budgets to a quarter of V8's defaults, with
 * TurboFan the one optimizing tier (`tierUpFlags`), from the first tools/call on: the
 * start and the client's opening (initialize, tools/list: code run once) are compiled as
 * before, and a server that a client starts and never calls (MCP clients start every
 * configured server) compiles nothing for calls. Applied as soon as the server served,
 * the lower budgets also had the opening's code, hot from the start, compiled with
 * TurboFan while idle: idle RSS +5.5 MB on Node 24 (pages of the compiler in the node
 * binary among them) and +1.4 MB on Node 20, for the same RSS after 10,000 calls.
 *
 * What it costs: the same compiles, done sooner and closer together, whose scratch memory
 * glibc partly keeps. A quarter measured the same as a third there (Node 20, 2,000
 * calls, eight processes each: 69-70 MB), with (c) - (d) lower on every Node (latprobe,
 * margin account, Node 20 0.18-0.22 against 0.24-0.35 ms) (bench/README.md).
 *
 * Nothing is touched when Node was started with its own say on tiering (one of the
 * flags below, `--jitless`, `--max-opt`, `--no-opt`), or with V8's flags frozen
 * (setting one then aborts the process). A process that embeds the server keeps V8's
 * defaults: only the executable arms `tierUp`.
 */
import { setFlagsFromString } from 'node:v8';
import { anyNodeFlag, nodeStartFlags } from './node-flags.js';

/**
 * The tiers and budgets by V8 line. V8 11.3 (Node 20) optimizes a function with TurboFan
 * once it has run `--interrupt-budget` bytes of bytecode (67,584). From V8 11.8 on (Node
 * 21 and later) the budgets are invocations' worth of bytecode: TurboFan 3,000, and after
 * a change of a function's inline caches at least 500 more invocations, which is what
 * holds the tier-up back while a call's code still meets new object shapes. A quarter of
 * each.
 *
 * And one optimizing tier, TurboFan, as Node 20 and 22 have by default: Maglev, the tier
 * between the baseline code and TurboFan, is on by default in Node 24. With it, a call's
 * code is compiled twice, by Maglev then by TurboFan, on background threads whose glibc
 * arenas keep the compilers' freed memory. Node 24 after 10,000 calls: 97-104 MB with
 * Maglev on, 85-87 with it off (memprobe, four processes each, from 65 MB). The other
 * threads' CPU per call fell from ~630 to ~450 µs, and (c) - (d) was the same or lower
 * (latprobe, margin account, three processes each: 0.16-0.21 against 0.22-0.26 ms).
 * What Maglev did better: back-to-back calls of a fresh process, ~5 % more a second over
 * the first 6,000, and ~5 ms off the first call (bench/README.md).
 */
export function tierUpFlags(v8Version: string): string[] {
  if (/^11\.[0-7]\./.test(v8Version)) return ['--interrupt-budget=16896'];
  return ['--no-maglev', '--invocation-count-for-turbofan=750', '--minimum-invocations-after-ic-update=125'];
}

/** Node flags that leave tiering to V8: the user's own budgets or tiers, or frozen flags. */
const LEAVE_ALONE = anyNodeFlag([
  'interrupt-budget',
  'invocation-count-for-\\w+',
  'minimum-invocations-\\w+',
  'jitless',
  'max-opt',
  'no-opt',
  '(?:no-)?(?:turbofan|maglev|sparkplug)',
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

/**
 * The process's tier-up, applied once, at the first tools/call after the executable armed
 * it. server.ts tells it of every tools/call on every transport, armed or not.
 */
export class TierUp {
  private pending: (() => string[]) | undefined;
  private flags: string[] | undefined;

  /** Once the server serves. The arguments are tierUpSooner's. */
  arm(nodeFlags = nodeStartFlags(), v8Version = process.versions.v8, setFlags = setFlagsFromString): void {
    this.pending = () => tierUpSooner(nodeFlags, v8Version, setFlags);
  }

  callStarted(): void {
    if (!this.pending) return;
    const apply = this.pending;
    this.pending = undefined;
    this.flags = apply();
  }

  /** The flags set, once set. */
  get applied(): readonly string[] | undefined {
    return this.flags;
  }
}

/** The process's one tier-up. */
export const tierUp = new TierUp();
