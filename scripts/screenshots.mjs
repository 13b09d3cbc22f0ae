// `npm run screenshots`: the README's pictures of the MCP Apps views (docs/apps-*.png),
// taken by the browser test itself (test/apps-browser.test.ts) in headless Chromium,
// so they show exactly what the test checked.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const out = join('docs', '.screens');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const run = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'apps-browser'], {
  stdio: 'inherit',
  env: { ...process.env, SCREENSHOT_DIR: out, CI: '1' },
});
if (run.status !== 0) process.exit(run.status ?? 1);
for (const f of readdirSync(out)) renameSync(join(out, f), join('docs', `apps-${f}`));
rmSync(out, { recursive: true, force: true });
console.log(
  `screenshots written: ${readdirSync('docs')
    .filter((f) => f.startsWith('apps-'))
    .join(', ')}`,
);
