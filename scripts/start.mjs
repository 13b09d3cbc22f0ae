// `npm start`: build when there is no build yet, then run the server on stdio.
// Build output goes to stderr: stdout belongs to the MCP client.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('dist/binance-margin-mcp.js')) {
  const b = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const r = spawnSync(process.execPath, ['dist/binance-margin-mcp.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
