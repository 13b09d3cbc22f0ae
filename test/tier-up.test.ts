/**
 * Tier-up (src/runtime/tier-up.ts; issue 23): from the first tools/call on, the executable
 * lowers V8's optimization budgets to a quarter, with TurboFan the one optimizing tier.
 * The flags chosen by V8 line, Node's own flags respected, the moment they are set (the
 * server's first tools/call, not its start or the client's opening), and V8 honouring
 * them on the Node that runs the tests, in child processes (a flag is the whole process's).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TierUp, tierUp, tierUpFlags, tierUpSooner } from '../src/runtime/tier-up.js';
import { startServer } from './helpers/mcp.js';
import { runWithNatives } from './helpers/v8-child.js';

describe('the tier-up policy', () => {
  test('sets the budget of V8 11.3 (Node 20), and TurboFan alone at a quarter of its invocation counts later', () => {
    assert.deepEqual(tierUpFlags('11.3.244.8-node.33'), ['--interrupt-budget=16896']);
    // Node 22's V8 has Maglev off by default, Node 24's on: off on both, with the same budgets.
    for (const v8 of ['11.8.172.17-node.20', '12.4.254.21-node.33', '13.6.233.17-node.1', '14.1.146.11-node.10'])
      assert.deepEqual(
        tierUpFlags(v8),
        ['--no-maglev', '--invocation-count-for-turbofan=750', '--minimum-invocations-after-ic-update=125'],
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
      '--maglev',
      '--no-maglev',
      '--maglev-inlining',
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

describe('the tier-up of the process', () => {
  const recorded = () => {
    const set: string[] = [];
    return { set, setFlags: (f: string) => void set.push(f) };
  };

  test('touches nothing of V8 until armed (a process that embeds the server), then once, at the first call', () => {
    const { set, setFlags } = recorded();
    const t = new TierUp();
    t.callStarted();
    assert.deepEqual(set, []);
    t.arm('', '13.6.233.17', setFlags);
    assert.deepEqual(set, [], 'arming sets nothing');
    assert.equal(t.applied, undefined);
    t.callStarted();
    assert.deepEqual(set, tierUpFlags('13.6.233.17'));
    t.callStarted();
    assert.deepEqual(set, tierUpFlags('13.6.233.17'), 'once');
    assert.deepEqual(t.applied, tierUpFlags('13.6.233.17'));
  });

  test("armed in a Node started with the user's own tiering, it sets nothing at the first call either", () => {
    const { set, setFlags } = recorded();
    const t = new TierUp();
    t.arm('--no-maglev', '13.6.233.17', setFlags);
    t.callStarted();
    assert.deepEqual(set, []);
    assert.deepEqual(t.applied, []);
  });

  test("the server's first tools/call sets the flags; its opening (initialize, tools/list) does not", async () => {
    const { set, setFlags } = recorded();
    tierUp.arm('', '12.4.254.21', setFlags);
    const s = await startServer();
    try {
      await s.client.listTools();
      assert.deepEqual(set, [], 'nothing at initialize and tools/list');
      const r = await s.call('no_such_tool');
      assert.equal(r.isError, true);
      assert.deepEqual(set, tierUpFlags('12.4.254.21'), 'at the first tools/call, even one that fails');
      await s.call('get_bnb_burn_status');
      assert.deepEqual(set, tierUpFlags('12.4.254.21'), 'once');
    } finally {
      await s.close();
    }
  });
});

// A child's workload: how many calls of a function it takes until V8 has it in TurboFan code (checked every 25
// calls, after a turn of the event loop, so that a compile done on a background thread is installed); 0 if not by
// 6,000. And the calls until it was first seen in Maglev code (0: never).
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
let turbofan = 0;
let maglev = 0;
for (let i = 1; i <= 6000 && !turbofan; i++) {
  s += work(o);
  if (i % 25 === 0) {
    await new Promise((r) => setTimeout(r, 1));
    const status = eval('%GetOptimizationStatus(work)');
    if (status & 32 && !maglev) maglev = i;
    if (status & 64) turbofan = i;
  }
}
console.log(JSON.stringify({ turbofan, maglev }));
`;

function tiering(setup: string): { turbofan: number; maglev: number } {
  return JSON.parse(runWithNatives(WORKLOAD(setup)));
}

describe("V8's tier-up under the policy (this Node)", () => {
  test('has a function in TurboFan code in well under the calls it takes at V8’s defaults, never in Maglev', () => {
    const defaults = tiering('');
    const sooner = tiering("tierUpSooner('');");
    assert.ok(sooner.turbofan > 0, 'in TurboFan code with the policy');
    assert.ok(
      defaults.turbofan === 0 || sooner.turbofan < defaults.turbofan * 0.7,
      `${sooner.turbofan} calls with the policy, ${defaults.turbofan} without`,
    );
    assert.equal(sooner.maglev, 0, 'no Maglev on the way');
  });
});
