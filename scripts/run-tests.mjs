// Runs every compiled test file with node's own test runner. Test files are
// dist/test/**/*.test.js; the runner prints its closing summary (tests, pass, fail).
// A full run (no file filter) also measures line coverage of the server's code
// (dist/src, mapped back to src/ by the source maps) with c8, prints its summary, and
// ends with the plain "N passed, N failed" line. COVERAGE=0 skips the measurement.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...find(full));
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const only = process.argv.slice(2);
const files = find('dist/test')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
const coverage = only.length === 0 && process.env.COVERAGE !== '0';
const work = mkdtempSync(join(tmpdir(), 'bmm-tests-'));
const tap = join(work, 'results.tap');
const env = {
  ...process.env,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  ...(coverage ? { NODE_V8_COVERAGE: join(work, 'coverage') } : {}),
};
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit', env },
);
if (coverage) {
  console.log(
    '\nLine coverage of src/ by the in-process tests (c8; the bundle run as a child process is not counted):',
  );
  spawnSync(
    process.execPath,
    [
      'node_modules/c8/bin/c8.js',
      'report',
      '--temp-directory',
      join(work, 'coverage'),
      '--reporter=text-summary',
      '--include=src/**',
      '--exclude=src/sandbox/**',
      '--exclude-after-remap',
    ],
    {
      stdio: 'inherit',
    },
  );
}
let summary = '';
try {
  const text = readFileSync(tap, 'utf8');
  const count = (what) => Number([...text.matchAll(new RegExp(`^# ${what} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
  summary = `${count('pass')} passed, ${count('fail')} failed`;
} catch {
  /* no TAP file: the runner itself failed */
}
rmSync(work, { recursive: true, force: true });
if (summary) console.log(`\n${summary}`);
process.exit(result.status ?? 1);
