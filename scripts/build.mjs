// Build: type-check and compile everything with tsc (dist/src, dist/test, …), then
// bundle the server into one file with esbuild, which is what `bin` runs and what the
// end-to-end tests start: users run exactly what was tested. One file starts faster
// than hundreds of ES modules (see bench/).
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });

const outfile = 'dist/binance-margin-mcp.js';
await build({
  entryPoints: ['src/bin.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile,
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  banner: {
    // Bundled CommonJS dependencies (pino) still call require(); give them one.
    js: "#!/usr/bin/env node\nimport { createRequire as __bmmCreateRequire } from 'node:module';\nconst require = __bmmCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
