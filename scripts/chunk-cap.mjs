// Every file of the bundle stays under CHUNK_CAP bytes (issue 23, bench/README.md "Tenth look").
//
// Why: glibc serves a malloc of 128 KB or more with an mmap of its own, and when such a
// block is freed it raises that threshold to the block's size, and its trim threshold to
// twice that, for the rest of the process. Node reads a module file into one buffer (and,
// with the compile cache, copies its source once more), so freeing the read of a 779 KB
// chunk let each arena of V8's compiler threads keep up to 1.56 MB free at its top for
// good: 2-5 MB of RSS after 10,000 calls on Node 20, 22 and 24. Node 22 and 24 free a 259 KB
// block of their own at start, so on Node 24 files under 240 KB leave the thresholds
// where Node puts them (Node 22's compile cache copies a source at three bytes a
// character: 655 KB there, against 2.4 MB before). The SDK's largest module is 216 KB,
// so no cap much lower is possible.
//
// esbuild cannot cap a chunk: it cuts only where the sets of entry points that reach a
// module differ. So a first build (in memory) finds the chunks over the cap and cuts their
// modules into runs in the order they run (each after what it imports; where a package
// ends, if one ends near the cap), and the real build adds an extra entry for each cut
// that imports every module up to it. A module in run j is then reached by the extra
// entries j and later only, so each run becomes a chunk of its own that imports only the
// runs before it: the same modules, run in the same order. The extra entries' own files
// are deleted.
import { rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export const CHUNK_CAP = 240 * 1024;
/** The size a run of modules is cut at: leaves room for the imports and exports between chunks. */
const RUN_CAP = 200 * 1024;
const SPLIT_DIR = '.split';

/**
 * Every module, each after what it imports (statically or with `require`): the order in
 * which the bundle runs them, as far as cycles allow.
 */
function runOrder(metafile) {
  const order = [];
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path) || !metafile.inputs[path]) return;
    seen.add(path);
    for (const i of metafile.inputs[path].imports)
      if (!i.external && (i.kind === 'import-statement' || i.kind === 'require-call')) visit(i.path);
    order.push(path);
  };
  for (const path of Object.keys(metafile.inputs)) visit(path);
  return order;
}

/** The written files over the cap, each with its modules in run order. */
function oversized(result) {
  const order = runOrder(result.metafile);
  const found = [];
  for (const file of result.outputFiles) {
    if (!file.path.endsWith('.js') || file.contents.byteLength <= CHUNK_CAP) continue;
    const key = Object.keys(result.metafile.outputs).find((k) => resolve(k) === file.path);
    const inputs = result.metafile.outputs[key].inputs;
    // Modules of a plugin's namespace (`ns:name`) have no file to import: they go where their importers go.
    // Nor do modules that leave nothing in the output (types only): there is nothing to place.
    const modules = order.filter((p) => inputs[p]?.bytesInOutput && !/^[\w-]+:/.test(p));
    found.push({ path: key, modules: modules.map((p) => ({ path: p, bytes: inputs[p].bytesInOutput })) });
  }
  return found;
}

/** The package a module belongs to (`src` for ours): where a cut costs the fewest imports between chunks. */
function packageOf(path) {
  const parts = path.split('node_modules/').at(-1).split('/');
  return path.includes('node_modules/') ? parts.slice(0, parts[0].startsWith('@') ? 2 : 1).join('/') : parts[0];
}

/**
 * Cuts a file's modules into runs of at most RUN_CAP bytes (a module bigger than that is
 * a run alone), each cut at the last change of package in the run if that leaves the run
 * at least half full: a package's modules call each other most.
 */
function runs(modules) {
  const cut = [[]];
  for (const m of modules) {
    const run = cut.at(-1);
    const bytes = run.reduce((n, r) => n + r.bytes, 0);
    if (bytes + m.bytes > RUN_CAP && run.length) {
      let at = run.length;
      for (let i = run.length - 1, kept = bytes; i > 0; i--) {
        kept -= run[i].bytes;
        if (kept < RUN_CAP / 2) break;
        if (packageOf(run[i - 1].path) !== packageOf(run[i].path)) {
          at = i;
          break;
        }
      }
      cut.push(run.splice(at));
    }
    cut.at(-1).push(m);
  }
  return cut.map((run) => run.map((m) => m.path));
}

/**
 * What an extra entry imports of each module: the module itself (`import "…"`), which
 * adds no export to the chunk it lands in. (An exported binding is a module variable,
 * which V8 reads through a cell everywhere, its own module included, not as a constant:
 * one the redaction scan reads in its loop cost ~0.03 ms a call.) A module whose package
 * says it has no side effects is not reached by a bare import, so the entry imports one
 * of its exports.
 */
async function importLines(paths, sideEffectFree, options) {
  const named = paths.filter((p) => sideEffectFree.has(p));
  const exportsOf = new Map();
  if (named.length) {
    const { metafile } = await build({
      entryPoints: named.map((p) => resolve(p)),
      bundle: false,
      write: false,
      metafile: true,
      format: 'esm',
      platform: options.platform,
      outdir: options.outdir,
      outbase: process.cwd(),
      logLevel: 'silent',
    });
    for (const o of Object.values(metafile.outputs)) if (o.entryPoint) exportsOf.set(o.entryPoint, o.exports);
  }
  return new Map(
    paths.map((p, i) => {
      const from = JSON.stringify(resolve(p));
      if (!sideEffectFree.has(p)) return [p, `import ${from};`];
      const name = exportsOf.get(p)?.[0];
      // An ES module with no exports and no side effects has nothing to place: it goes where its importers go.
      return [p, name ? `export { ${JSON.stringify(name)} as m${i} } from ${from};` : ''];
    }),
  );
}

/** The extra entries: `bmm-split:N` imports every module of the runs up to its cut. */
function splitEntries(prefixes, lines) {
  return {
    name: 'chunk-cap-split-entries',
    setup(b) {
      b.onResolve({ filter: /^bmm-split:\d+$/ }, (args) => ({ path: args.path, namespace: 'bmm-split' }));
      b.onLoad({ filter: /.*/, namespace: 'bmm-split' }, (args) => {
        const modules = prefixes[Number(args.path.slice('bmm-split:'.length))];
        return { contents: modules.map((p) => lines.get(p)).join('\n'), resolveDir: process.cwd() };
      });
    },
  };
}

/** The options for a build with the extra entries. */
function withSplitEntries(options, prefixes, lines) {
  const entryPoints = { ...options.entryPoints };
  prefixes.forEach((_, i) => {
    entryPoints[`${SPLIT_DIR}/${i}`] = `bmm-split:${i}`;
  });
  return {
    ...options,
    entryPoints,
    metafile: true,
    plugins: [...(options.plugins ?? []), splitEntries(prefixes, lines)],
  };
}

/** esbuild's `build` with `splitting`, each written file under CHUNK_CAP; throws if one is not. */
export async function buildWithCappedChunks(options) {
  const first = await build({ ...options, metafile: true, write: false });
  const prefixes = [];
  for (const file of oversized(first)) {
    const cut = runs(file.modules);
    // Runs 1..k-1 each get an entry importing the runs up to them; run k stays with the file's own entries.
    for (let i = 1; i < cut.length; i++) prefixes.push(cut.slice(0, i).flat());
  }
  const modules = [...new Set(prefixes.flat())];
  // Which modules esbuild drops a bare import of: a build in memory that imports each bare tells.
  const bare = new Map(modules.map((p) => [p, `import ${JSON.stringify(resolve(p))};`]));
  const probe = prefixes.length
    ? await build({ ...withSplitEntries(options, prefixes, bare), write: false, logLevel: 'silent' })
    : { warnings: [] };
  const sideEffectFree = new Set(
    probe.warnings.filter((w) => w.id === 'ignored-bare-import').map((w) => /"([^"]+)"/.exec(w.text)?.[1]),
  );
  const lines = await importLines(modules, sideEffectFree, options);
  const result = await build(withSplitEntries(options, prefixes, lines));
  rmSync(join(options.outdir, SPLIT_DIR), { recursive: true, force: true });
  const over = Object.keys(result.metafile.outputs)
    .filter((f) => f.endsWith('.js') && !f.includes(`/${SPLIT_DIR}/`))
    .map((f) => ({ f, bytes: statSync(f).size }))
    .filter(({ bytes }) => bytes > CHUNK_CAP);
  if (over.length)
    throw new Error(
      `chunk cap: ${over.map(({ f, bytes }) => `${f} (${bytes} bytes)`).join(', ')} over ${CHUNK_CAP} bytes; ` +
        'a single module that big cannot be cut (scripts/chunk-cap.mjs)',
    );
  return result;
}
