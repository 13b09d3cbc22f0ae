// Every file of the bundle stays under CHUNK_CAP bytes (issue 23, bench/README.md "Tenth look").
//
// Why: glibc serves a malloc of 128 KB or more with an mmap of its own, and when such a
// block is freed it raises that threshold to the block's size, and its trim threshold to
// twice that, for the rest of the process. Node reads a module file into one buffer (and,
// with the compile cache, copies its source once more), so freeing the read of a 779 KB
// chunk let each arena of V8's compiler threads keep up to 1.56 MB free at its top for
// good: 2-5 MB of RSS after 10,000 calls on Node 20, 22 and 24. Node 22 and 24 free a 259 KB
// block of their own at start, so files under 240 KB leave the thresholds about where
// Node puts them (the SDK's largest module is 216 KB, so no cap much lower is possible).
//
// esbuild cannot cap a chunk: it cuts only where the sets of entry points that reach a
// module differ. So a first build (in memory) finds the chunks over the cap and cuts their
// modules into runs in the order they run (each after what it imports), and a second
// build adds an extra entry for each cut, importing every module up to it. A module in
// run j is then reached by the extra entries j and later only, so each run becomes a
// chunk of its own that imports only the runs before it: the same modules, run in the
// same order. The extra entries' own files are deleted.
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

/** Cuts a file's modules into runs of at most RUN_CAP bytes (a module bigger than that is a run alone). */
function runs(modules) {
  const cut = [[]];
  let bytes = 0;
  for (const m of modules) {
    if (bytes + m.bytes > RUN_CAP && cut.at(-1).length) {
      cut.push([]);
      bytes = 0;
    }
    cut.at(-1).push(m.path);
    bytes += m.bytes;
  }
  return cut;
}

/**
 * What an extra entry imports of each module: one of its exports, so that the module
 * counts as used even where its package says it has no side effects, without keeping its
 * other exports from being tree-shaken; CommonJS whole. An ES module with no exports
 * has nothing to import: it goes where the modules that import it go.
 */
async function importLines(paths, options, formats) {
  if (!paths.length) return new Map();
  const { metafile } = await build({
    entryPoints: paths.map((p) => resolve(p)),
    bundle: false,
    write: false,
    metafile: true,
    format: 'esm',
    platform: options.platform,
    outdir: options.outdir,
    outbase: process.cwd(),
    logLevel: 'silent',
  });
  const exportsOf = new Map(
    Object.values(metafile.outputs)
      .filter((o) => o.entryPoint)
      .map((o) => [o.entryPoint, o.exports]),
  );
  return new Map(
    paths.map((p, i) => {
      const name = exportsOf.get(p)?.[0];
      const from = JSON.stringify(resolve(p));
      if (formats[p] === 'cjs') return [p, `import ${from};`];
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

/** esbuild's `build` with `splitting`, each written file under CHUNK_CAP; throws if one is not. */
export async function buildWithCappedChunks(options) {
  const first = await build({ ...options, metafile: true, write: false });
  const prefixes = [];
  for (const file of oversized(first)) {
    const cut = runs(file.modules);
    // Runs 1..k-1 each get an entry importing the runs up to them; run k stays with the file's own entries.
    for (let i = 1; i < cut.length; i++) prefixes.push(cut.slice(0, i).flat());
  }
  const formats = Object.fromEntries(Object.entries(first.metafile.inputs).map(([p, i]) => [p, i.format]));
  const lines = await importLines([...new Set(prefixes.flat())], options, formats);
  const entryPoints = { ...options.entryPoints };
  prefixes.forEach((_, i) => {
    entryPoints[`${SPLIT_DIR}/${i}`] = `bmm-split:${i}`;
  });
  const result = await build({
    ...options,
    entryPoints,
    metafile: true,
    plugins: [...(options.plugins ?? []), splitEntries(prefixes, lines)],
  });
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
