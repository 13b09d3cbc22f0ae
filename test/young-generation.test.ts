/**
 * The young generation's size (src/runtime/young-generation.ts; issue 23): held from before the
 * server loads, grown only while calls pile up. The policy's steps with a recorded flag;
 * V8 honouring the flag, on the Node that runs the tests, in child processes (a flag is
 * the whole process's).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  GROW_AT,
  HOLD_AT,
  YoungGeneration,
  youngGeneration,
  type GrowthFactor,
} from '../src/runtime/young-generation.js';
import { startServer } from './helpers/mcp.js';

function recorded() {
  const set: GrowthFactor[] = [];
  return { set, yg: new YoungGeneration((f) => set.push(f)) };
}

describe('the young-generation policy', () => {
  test('touches nothing of V8 until it is held (a process that embeds the server)', () => {
    const { set, yg } = recorded();
    for (let i = 0; i < GROW_AT + 4; i++) yg.callStarted();
    for (let i = 0; i < GROW_AT + 4; i++) yg.callEnded();
    assert.deepEqual(set, []);
    assert.equal(yg.callsInFlight, 0);
  });

  test('held, it lets V8 grow only from GROW_AT calls in flight, and holds again at HOLD_AT', () => {
    const { set, yg } = recorded();
    yg.hold('');
    assert.deepEqual(set, [1]);
    for (let i = 1; i < GROW_AT; i++) yg.callStarted();
    assert.deepEqual(set, [1], `${GROW_AT - 1} in flight`);
    yg.callStarted();
    assert.deepEqual(set, [1, 2]);
    while (yg.callsInFlight > HOLD_AT + 1) yg.callEnded();
    yg.callStarted();
    yg.callEnded();
    assert.deepEqual(set, [1, 2], 'no flapping between HOLD_AT and GROW_AT');
    yg.callEnded();
    assert.equal(yg.callsInFlight, HOLD_AT);
    assert.deepEqual(set, [1, 2, 1]);
    assert.equal(yg.mayGrow, false);
  });

  test("leaves V8 alone when Node was started with the user's own young-generation size, or frozen flags", () => {
    for (const flags of [
      '--max-semi-space-size=64',
      ' --min_semi_space_size=4',
      '--semi-space-growth-factor=4 ',
      '--freeze-flags-after-init',
    ]) {
      const { set, yg } = recorded();
      yg.hold(flags);
      for (let i = 0; i < GROW_AT; i++) yg.callStarted();
      for (let i = 0; i < GROW_AT; i++) yg.callEnded();
      assert.deepEqual(set, [], flags);
    }
    const { set, yg } = recorded();
    yg.hold('--enable-source-maps --max-old-space-size=512');
    assert.deepEqual(set, [1]);
  });
});

describe('the server', () => {
  test('counts every tools/call while it runs, whether it succeeds or fails', async () => {
    const s = await startServer();
    try {
      let most = 0;
      let polling = true;
      const poll = (async () => {
        while (polling) {
          most = Math.max(most, youngGeneration.callsInFlight);
          await new Promise((r) => setImmediate(r));
        }
      })();
      const results = await Promise.all([
        ...Array.from({ length: 8 }, () => s.call('get_bnb_burn_status')),
        s.call('no_such_tool'),
        s.call('get_bnb_burn_status', { account: 'nobody' }),
      ]);
      polling = false;
      await poll;
      assert.equal(results.filter((r) => r.isError).length, 2);
      assert.ok(most >= 2, `at most ${most} seen in flight`);
      assert.equal(youngGeneration.callsInFlight, 0);
    } finally {
      await s.close();
    }
  });
});

// A child's workload: a window of 20,000 objects that each young GC finds alive, with turns of the event loop
// in between, as a server has. Prints the largest the young generation's semi-space was seen (used + available;
// what V8 doubles): 1 MB to start with, 16 MB at most on Node 20 and 22, 32 on Node 24. Held, Node 24 still lets
// it run to ~9 MB between two young GCs.
const WORKLOAD = (setup: string) => `
import { getHeapSpaceStatistics } from 'node:v8';
import { YoungGeneration } from ${JSON.stringify(new URL('../src/runtime/young-generation.js', import.meta.url).href)};
const semiSpace = () => {
  const n = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return n.space_used_size + n.space_available_size;
};
const yg = new YoungGeneration();
${setup}
let largest = semiSpace();
const ring = new Array(20000);
let k = 0;
for (let round = 0; round < 300; round++) {
  for (let i = 0; i < 4000; i++, k++) ring[k % ring.length] = { k, list: [k, k + 1, k + 2], s: 'x' + k };
  largest = Math.max(largest, semiSpace());
  await new Promise((r) => setImmediate(r));
}
console.log(largest / 1024 / 1024);
`;

function largestSemiSpaceMb(setup: string): number {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', WORKLOAD(setup)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

describe("V8's young generation under the policy (this Node)", () => {
  // Left alone, the workload grows it to its largest: what the policy is for.
  let alone = 0;
  test('left alone, the workload grows it to its largest (16 MB; 32 on Node 24)', () => {
    alone = largestSemiSpaceMb('');
    assert.ok(alone >= 15, `${alone.toFixed(1)} MB`);
  });

  test('held, it stays under half of that (1 MB on Node 20 and 22)', () => {
    const mb = largestSemiSpaceMb('yg.hold();');
    assert.ok(mb < alone / 2, `${mb.toFixed(1)} of ${alone.toFixed(1)} MB`);
  });

  test('held, with GROW_AT calls in flight V8 grows it as it would', () => {
    const mb = largestSemiSpaceMb(`yg.hold(); for (let i = 0; i < ${GROW_AT}; i++) yg.callStarted();`);
    assert.ok(mb >= alone / 2, `${mb.toFixed(1)} of ${alone.toFixed(1)} MB`);
  });

  test('started with frozen V8 flags, the server still starts (setting one would abort it)', () => {
    const r = spawnSync(
      process.execPath,
      ['--freeze-flags-after-init', '--input-type=module', '-e', `${WORKLOAD('yg.hold();')}\nconsole.log('alive');`],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr.slice(0, 300));
    assert.match(r.stdout, /alive/);
  });

  test('held again once the calls fall to HOLD_AT', () => {
    const grown = `yg.hold(); for (let i = 0; i < ${GROW_AT}; i++) yg.callStarted();`;
    const ended = `for (let i = ${GROW_AT}; i > ${HOLD_AT}; i--) yg.callEnded();`;
    const mb = largestSemiSpaceMb(`${grown} ${ended}`);
    assert.ok(mb < alone / 2, `${mb.toFixed(1)} of ${alone.toFixed(1)} MB`);
  });
});
