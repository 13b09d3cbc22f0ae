/**
 * The executable's entry, kept tiny so that it runs before the server's code is
 * compiled. Two things make a start fast (see bench/):
 * - Node's module compile cache (Node ≥ 22.1): V8's compiled code is kept on disk, so
 *   later starts skip most of the parsing and compiling. It lives where Node puts it by
 *   default, <os temp dir>/node-compile-cache (NODE_COMPILE_CACHE, when set, is Node's
 *   own business: it enables the cache before this runs), never in the project or the
 *   state directory. A folder another user made or can write into is not used
 *   (<temp>/node-compile-cache-<uid> then): compiled code is run as it is found. A
 *   folder that cannot be made only means no cache; it is made without `recursive`,
 *   because Node's recursive mkdir (which enableCompileCache uses) never returns for a
 *   path under /proc (Node 22.23 and 24.21). NODE_DISABLE_COMPILE_CACHE=1 turns it off;
 *   on Node 20 the function does not exist.
 * - The opening cache (src/opening/): the client's opening messages are answered as
 *   they were last time, while the server (main.ts) loads and then checks them.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownedByThisUserAlone } from './opening/opening-cache.js';
import { answerOpening } from './opening/replay.js';
import { tierUp } from './runtime/tier-up.js';
import { keepWasmInLiftoff } from './runtime/wasm-tier.js';
import { youngGeneration } from './runtime/young-generation.js';

// Before anything is loaded: the start-up alone would grow V8's young generation to 8 MB
// (src/runtime/young-generation.ts), and undici's HTTP parser is compiled when it loads
// (src/runtime/wasm-tier.ts).
youngGeneration.hold();
keepWasmInLiftoff();

const enableCompileCache = (module as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
if (enableCompileCache && !process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    const shared = join(tmpdir(), 'node-compile-cache');
    const dir = [shared, `${shared}-${process.getuid?.() ?? ''}`].find(ownPrivateDir);
    if (dir) enableCompileCache(dir);
  } catch {
    // No cache is never a reason not to start.
  }
}

/**
 * Made here, or made earlier by this user and writable by nobody else: compiled code is run as is, so a
 * folder another user of a shared temp folder made (or can write into) is never used.
 */
function ownPrivateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  const st = lstatSync(dir);
  return st.isDirectory() && ownedByThisUserAlone(st);
}

// A hash of the bundle, stamped by scripts/build.mjs: the opening cache's answers belong to one build.
const BUILD_ID = '__BMM_BUILD_ID__';

try {
  // Answers the client's opening from the opening cache, when this start has one (src/opening/), then loads.
  const opening = await answerOpening(BUILD_ID).catch(() => undefined);
  const { main } = await import('./main.js');
  await main(new URL('./tool-list.json', import.meta.url), opening);
  // Serving now: from the first tools/call on, the calls' code is optimized sooner than V8 would
  // (src/runtime/tier-up.ts); start-up and the client's opening were not.
  tierUp.arm();
} catch (err) {
  process.stderr.write(`binance-margin-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
