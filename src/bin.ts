/**
 * The executable's entry, kept tiny so that it runs before the server's code is
 * compiled: it turns on Node's module compile cache (Node ≥ 22.1; V8's compiled code
 * is kept on disk, so later starts skip most of the parsing and compiling that cold
 * start is made of, see bench/), then loads the server (main.ts).
 *
 * The cache lives where Node puts it by default, <os temp dir>/node-compile-cache
 * (NODE_COMPILE_CACHE, when set, is Node's own business: it enables the cache before
 * this runs), never in the project or the state directory. A directory that cannot be
 * made only means no cache: the folder is made here without `recursive`, because
 * Node's recursive mkdir (which enableCompileCache uses) never returns for a path
 * under /proc (Node 22.23 and 24.21). NODE_DISABLE_COMPILE_CACHE=1 turns it off. On
 * Node 20 the function does not exist and nothing is done.
 */
import { mkdirSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const enableCompileCache = (module as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
if (enableCompileCache && !process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    const dir = join(tmpdir(), 'node-compile-cache');
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    enableCompileCache(dir);
  } catch {
    // No cache is never a reason not to start.
  }
}

try {
  const { main } = await import('./main.js');
  await main(new URL('./tool-list.json', import.meta.url));
} catch (err) {
  process.stderr.write(`binance-margin-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
