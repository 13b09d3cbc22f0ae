/**
 * Tier-up (src/runtime/tier-up.ts; issue 23): once serving, the executable lowers V8's
 * optimization budgets to a quarter (a third on Node 24). The flags chosen by V8 line,
 * Node's own flags respected, and V8 honouring the budgets on the Node that runs the
 * tests, in child processes (a flag is the whole process's).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { tierUpFlags, tierUpSooner } from '../src/runtime/tier-up.js';

describe('the tier-up policy', () => {
  test('sets the budget of V8 11.3 (Node 20) and the invocation counts of later V8s', () => {
    assert.deepEqual(tierUpFlags('11.3.244.8-node.33'), ['--interrupt-budget=16896']);
    for (const v8 of ['11.8.172.17-node.20', '12.4.254.21-node.33', '12.9.202.28-node.14'])
      assert.deepEqual(
        tierUpFlags(v8),
        [
          '--invocation-count-for-turbofan=750',
          '--invocation-count-for-maglev=100',
          '--minimum-invocations-after-ic-update=125',
        ],
        v8,
      );
    // Maglev on (Node 24 and later): a third, which keeps less memory there.
    for (const v8 of ['13.6.233.17-node.1', '14.1.146.11-node.10'])
      assert.deepEqual(
        tierUpFlags(v8),
        [
          '--invocation-count-for-turbofan=1000',
          '--invocation-count-for-maglev=130',
          '--minimum-invocations-after-ic-update=170',
        ],
        v8,
      );
  });

  test("leaves V8 alone when Node was started with the user's own tiering, or frozen flags", () => {
    for (const flags of [
      '--interrupt-budget=1000',
      ' --invocation_count_for_turbofan=10',
      '--invocation-count-for-maglev=5 ',
      '--minimum-invocations-after-ic-update=1',
      '--jitless',
      '--max-opt=1',
      '--no-opt',
      '--no-turbofan',
      '--freeze-flags-after-init',
    ]) {
      const set: string[] = [];
      assert.deepEqual(
        tierUpSooner(flags, '12.4.254.21', (f) => set.push(f)),
        [],
        flags,
      );
      assert.deepEqual(set, [], flags);
    }
    const set: string[] = [];
    tierUpSooner('--enable-source-maps --max-old-space-size=512 --no-optimize-for-size', '11.3.244.8', (f) =>
      set.push(f),
    );
    assert.deepEqual(set, ['--interrupt-budget=16896']);
  });
});

// A child's workload: how many calls of a function it takes until V8 has optimized it (checked every 25 calls,
// after a turn of the event loop, so that a compile done on a background thread is installed); 0 if not by 6,000.
const WORKLOAD = (setup: string) => `
import { tierUpSooner } from ${JSON.stringify(new URL('../src/runtime/tier-up.js', import.meta.url).href)};
${setup}
function work(o) {
  let s = 0;
  s += o.a * 2 + o.b - o.c; s ^= o.a << 3; s += o.b % 7; s -= o.c * o.a; s += (o.a + o.b) * (o.b + o.c);
  s += o.a * 5 + o.b - o.c; s ^= o.b << 2; s += o.c % 5; s -= o.b * o.a; s += (o.c + o.b) * (o.a + o.c);
  return s;
}
const o = { a: 1, b: 2, c: 3 };
let s = 0;
let at = 0;
for (let i = 1; i <= 6000 && !at; i++) {
  s += work(o);
  if (i % 25 === 0) {
    await new Promise((r) => setTimeout(r, 1));
    if (eval('%GetOptimizationStatus(work)') & 16) at = i;
  }
}
console.log(at);
`;

function callsUntilOptimized(setup: string): number {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', WORKLOAD(setup)], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'V8 knows every flag set (an unknown one is reported on stderr)');
  return Number(r.stdout.trim());
}

describe("V8's tier-up under the policy (this Node)", () => {
  test('optimizes a function in well under the calls it takes at V8’s defaults', () => {
    const defaults = callsUntilOptimized('');
    const sooner = callsUntilOptimized("tierUpSooner('');");
    assert.ok(sooner > 0, 'optimized with the policy');
    assert.ok(defaults === 0 || sooner < defaults * 0.7, `${sooner} calls with the policy, ${defaults} without`);
  });
});
