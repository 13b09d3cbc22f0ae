/**
 * Runs a workload in a child Node with V8's natives syntax (`%IsTurboFanFunction(f)` …): a
 * V8 flag is the whole process's, so a policy's effect on V8 is tested in a process of its
 * own. Returns the child's stdout, trimmed; the child must exit cleanly and print nothing on
 * stderr, where V8 reports a flag it does not know.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export function runWithNatives(moduleSource: string): string {
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', moduleSource], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'V8 knows every flag set (an unknown one is reported on stderr)');
  return r.stdout.trim();
}
