// Runs the compiled test suite (after `npm test` has built it) on another Node major,
// fetched from the npm registry's `node` package: `node scripts/test-on-node.mjs 22`.
// The tests spawn the server with process.execPath, so the server runs on that Node too.
import { spawnSync } from 'node:child_process';

const major = process.argv[2];
if (!/^\d+$/.test(major ?? '')) {
  console.error('usage: node scripts/test-on-node.mjs <major>');
  process.exit(2);
}
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const version = spawnSync(npx, ['-y', `node@${major}`, '--version'], { encoding: 'utf8' });
if (version.status !== 0) {
  console.error(`could not fetch Node ${major} from the npm registry:\n${version.stderr}`);
  process.exit(1);
}
console.log(`# the test suite on Node ${version.stdout.trim()}`);
const run = spawnSync(npx, ['-y', `node@${major}`, 'scripts/run-tests.mjs', ...process.argv.slice(3)], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
