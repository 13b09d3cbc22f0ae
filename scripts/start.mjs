// `npm start`: bundle when there is no build yet (no type-check: a few seconds), then
// run the server on stdio. Build output goes to stderr: stdout belongs to the MCP client.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('dist/binance-margin-mcp.js')) {
  process.stderr.write('binance-margin-mcp: first start, bundling the server…\n');
  const b = spawnSync(process.execPath, ['scripts/build.mjs', '--bundle-only'], { stdio: ['ignore', 2, 2] });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const r = spawnSync(process.execPath, ['dist/binance-margin-mcp.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
