/**
 * How large V8's young generation may grow (issue 23).
 *
 * V8 doubles its young generation (semi-spaces of 1, 2, 4, … 16 MB; 32 on Node 24)
 * whenever the bytes that survived young GCs since its last growth pass its size, and
 * it does not give the space back. The server's own start-up (modules, schemas, the
 * tool list: ~14 MB that live for good) takes it to 8 MB, and any steady run of calls
 * (what is in flight when a young GC comes) to 16: +30 MB of RSS that no call keeps, on
 * every Node from 20 to 24, even in a relay of 50 lines around undici (bench/README.md).
 *
 * A larger young generation pays off only while many calls are in flight at once: then
 * fewer of their objects are still alive at two young GCs in a row and get promoted. At
 * 8 in flight, 1 and 2 MB semi-spaces promoted the same ~5 MB over 10,000 calls: what
 * is promoted there lives longer than either lets it be young (undici's timers, ~1 s).
 *
 * So the executable (bin.ts) holds V8's growth (`--semi-space-growth-factor=1`: the size
 * stays as it is; V8 reads the flag each time it would grow) from before the server
 * loads, and lets V8 decide again only while GROW_AT tool calls or more are in flight,
 * until they fall back to HOLD_AT. Nothing else of V8's is touched, and a process that
 * embeds the server keeps its own heap policy: calls are counted either way, the flag
 * is set only once `hold` was called.
 */
import { setFlagsFromString } from 'node:v8';
import { nodeStartFlags } from './node-flags.js';

/** Tool calls in flight from which V8 may grow the young generation. */
export const GROW_AT = 16;
/** ...and the count at which it is held at its size again (lower: no flapping around one value). */
export const HOLD_AT = 4;

export type GrowthFactor = 1 | 2;

/** Node flags that leave the young generation to V8: the user's own sizing, or frozen flags. */
const LEAVE_ALONE =
  /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor|--freeze[-_]flags[-_]after[-_]init/;

export class YoungGeneration {
  private held = false;
  private growing = true;
  private inFlight = 0;

  constructor(private readonly setGrowthFactor: (factor: GrowthFactor) => void = v8GrowthFactor) {}

  /**
   * Holds the young generation at its size. Once, before the server loads. Not when Node
   * was started with its own say on the young generation, or with V8's flags frozen
   * (setting one then aborts the process): `nodeFlags` is what Node was started with.
   */
  hold(nodeFlags = nodeStartFlags()): void {
    if (LEAVE_ALONE.test(nodeFlags)) return;
    this.held = true;
    this.stopGrowing();
  }

  /** Counted around every tools/call, on every transport. */
  callStarted(): void {
    this.inFlight++;
    if (this.held && !this.growing && this.inFlight >= GROW_AT) {
      this.growing = true;
      this.setGrowthFactor(2);
    }
  }

  callEnded(): void {
    this.inFlight--;
    if (this.held && this.growing && this.inFlight <= HOLD_AT) this.stopGrowing();
  }

  get callsInFlight(): number {
    return this.inFlight;
  }

  get mayGrow(): boolean {
    return this.growing;
  }

  private stopGrowing(): void {
    this.growing = false;
    this.setGrowthFactor(1);
  }
}

/** The process's one young generation. */
export const youngGeneration = new YoungGeneration();

/** 2 is V8's default factor (Node 20 to 24). */
function v8GrowthFactor(factor: GrowthFactor): void {
  setFlagsFromString(`--semi-space-growth-factor=${factor}`);
}
