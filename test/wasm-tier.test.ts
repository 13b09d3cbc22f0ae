/**
 * WebAssembly kept in Liftoff code (src/runtime/wasm-tier.ts; issue 23): the executable
 * keeps V8 from recompiling undici's HTTP parser with TurboFan, whose 20–40 MB of
 * compiler memory glibc partly keeps. Node's own flags respected, and V8 honouring the
 * flags set at run time on the Node that runs the tests, in child processes (a flag is
 * the whole process's).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keepWasmInLiftoff, LIFTOFF_ONLY } from '../src/runtime/wasm-tier.js';
import { runWithNatives } from './helpers/v8-child.js';

describe('the wasm tiering policy', () => {
  test('sets Liftoff only, and the two flags V8 derives from it only on its command line', () => {
    const set: string[] = [];
    assert.deepEqual(
      keepWasmInLiftoff('', (f) => set.push(f)),
      LIFTOFF_ONLY,
    );
    assert.deepEqual(set, ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering']);
  });

  test("leaves V8 alone when Node was started with the user's own wasm tiering, or frozen flags", () => {
    for (const flags of [
      '--liftoff',
      '--no-liftoff',
      '--liftoff_only',
      '--wasm-tier-up',
      ' --no-wasm-dynamic-tiering',
      '--wasm-tiering-budget=100 ',
      '--wasm_dynamic_tiering',
      '--jitless',
      '--freeze-flags-after-init',
    ]) {
      const set: string[] = [];
      assert.deepEqual(
        keepWasmInLiftoff(flags, (f) => set.push(f)),
        [],
        flags,
      );
      assert.deepEqual(set, [], flags);
    }
    for (const flags of ['--max-old-space-size=512 --enable-source-maps', '--wasm-max-mem-pages=2', '--no-opt']) {
      const set: string[] = [];
      keepWasmInLiftoff(flags, (f) => set.push(f));
      assert.deepEqual(set, LIFTOFF_ONLY, flags);
    }
  });
});

// A child's workload: a hot wasm function (a loop summing 1..n), called until V8 has it in TurboFan code (checked
// every 25 calls, after a turn of the event loop, so that a compile done on a background thread is installed).
// Prints the calls it took (0: not by 4,000) and whether the function is still in Liftoff code.
const WORKLOAD = (setup: string) => `
import { keepWasmInLiftoff } from ${JSON.stringify(new URL('../src/runtime/wasm-tier.js', import.meta.url).href)};
${setup}
const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0,
  0, 10, 27, 1, 25, 1, 1, 127, 3, 64, 32, 1, 32, 0, 106, 33, 1, 32, 0, 65, 1, 107, 34, 0, 13, 0, 11, 32, 1, 11]);
const f = (await WebAssembly.instantiate(bytes)).instance.exports.f;
if (f(10) !== 55) throw new Error('the module sums 1..n');
let at = 0;
for (let i = 1; i <= 4000 && !at; i++) {
  f(1000);
  if (i % 25 === 0) {
    await new Promise((r) => setTimeout(r, 1));
    if (eval('%IsTurboFanFunction(f)')) at = i;
  }
}
console.log(JSON.stringify({ at, liftoff: eval('%IsLiftoffFunction(f)') }));
`;

function hotWasm(setup: string): { at: number; liftoff: boolean } {
  return JSON.parse(runWithNatives(WORKLOAD(setup)));
}

describe("V8's wasm tiering under the policy (this Node)", () => {
  test('a hot wasm function that V8 would optimize stays in Liftoff code', () => {
    const defaults = hotWasm('');
    assert.ok(defaults.at > 0, 'without the policy V8 optimizes it with TurboFan (else this test shows nothing)');
    assert.deepEqual(hotWasm("keepWasmInLiftoff('');"), { at: 0, liftoff: true });
  });
});
