/**
 * undici's HTTP parser stays in V8's baseline WebAssembly code (issue 23).
 *
 * undici parses every response with llhttp, compiled to WebAssembly. V8 compiles a wasm
 * function with Liftoff, its baseline compiler, and recompiles a hot one with TurboFan on
 * a background thread. llhttp's parser is one very large function (a state machine of
 * thousands of states), and optimizing it takes 20–40 MB of compiler memory at once, a
 * few hundred calls into a session: V8's peak_malloced_memory over 3,000 requests goes
 * from 39 to 5 MB on Node 20 with Liftoff only, 20 to 5 on Node 22, 36 to 15–18 on Node
 * 24. V8 frees it once the compile is done, but glibc keeps part of it in the compiler
 * thread's arena: the ~9 MB step of RSS in about one process in ten on Node 20, and ~8
 * MB of Node 24's growth (bench/README.md).
 *
 * What Liftoff costs: the parser runs over a response's few hundred bytes of head and
 * its body's framing once per call. Warm, a request through undici took the same 51 µs
 * either way, and the first thousand were faster without the compile taking a core
 * (bench/README.md).
 *
 * So the executable (bin.ts) keeps wasm in Liftoff from the start, before undici is
 * loaded. `--liftoff-only` alone is not enough when set at run time: V8 derives
 * `--no-wasm-tier-up` and `--no-wasm-dynamic-tiering` from it only when it parses the
 * command line, so all three are set. Nothing is touched when Node was started with its
 * own say on wasm tiering or with V8's flags frozen (setting one then aborts the process).
 */
import { setFlagsFromString } from 'node:v8';
import { anyNodeFlag, nodeStartFlags } from './node-flags.js';

export const LIFTOFF_ONLY: readonly string[] = ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering'];

/** Node flags that leave wasm tiering to V8: the user's own, or frozen flags. */
const LEAVE_ALONE = anyNodeFlag([
  '(?:no-)?liftoff(?:\\w|-)*',
  '(?:no-)?wasm-(?:\\w|-)*tier(?:\\w|-)*',
  'jitless',
  'freeze-flags-after-init',
]);

/**
 * Keeps WebAssembly in Liftoff code for this process, unless Node was started with its own
 * wasm tiering (`nodeFlags`: what Node was started with). Returns the flags set, none when
 * left alone.
 */
export function keepWasmInLiftoff(
  nodeFlags = nodeStartFlags(),
  setFlags: (flags: string) => void = setFlagsFromString,
): string[] {
  if (LEAVE_ALONE.test(nodeFlags)) return [];
  for (const f of LIFTOFF_ONLY) setFlags(f);
  return [...LIFTOFF_ONLY];
}
