// The MCP Apps views (src/apps/views): each bundled by esbuild into ONE self-contained
// HTML file, dist/apps/<name>.html, that the server serves as a ui:// resource
// (src/apps/html.ts). No file is fetched: the script and the style are inline, and the
// page's own Content-Security-Policy allows exactly those two (by hash) and nothing
// else — no network, no eval, no inline event handler.
//
// The views use the App class of @modelcontextprotocol/ext-apps (the real MCP Apps
// protocol over postMessage). Its published "app-with-deps" bundle is 540 KB, over the
// 300 KB a view may weigh, so the views bundle App from its main export with its
// dependencies (the MCP SDK's client and core, zod) and leave out what an App never
// runs: zod's other locales, zod's JIT compiler (`new Function`, which the CSP forbids
// anyway), JSON Schema conversion, and the client's JSON Schema validator. Those are
// replaced with stubs that throw; the browser test (test/apps-browser.test.ts) runs the
// protocol end to end on what remains.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

export const VIEWS = ['margin-view', 'confirm-card'];
export const MAX_VIEW_BYTES = 300 * 1024;

const stubExports = (file) => {
  // Every exported name of the module, as a function (or class) that throws when used.
  const src = readFileSync(file, 'utf8');
  const names = new Set();
  for (const m of src.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)/gm))
    names.add(m[1]);
  for (const m of src.matchAll(/^export\s*\{([^}]*)\}/gm))
    for (const part of m[1].split(',')) {
      const n = part
        .trim()
        .split(/\s+as\s+/)
        .pop();
      if (n) names.add(n);
    }
  const body = [...names].map((n) =>
    n === 'INVALID'
      ? `export const INVALID = Symbol.for('zod.compile.invalid');`
      : /(Error|Generator)$/.test(n)
        ? `export class ${n} extends Error { constructor() { super(LEFT_OUT); } }`
        : `export const ${n} = () => () => { throw new Error(LEFT_OUT); };`,
  );
  return `const LEFT_OUT = 'left out of the MCP Apps view bundle';\n${body.join('\n')}\n`;
};

const leaveOut = {
  name: 'leave-out-what-an-app-never-runs',
  setup(b) {
    // zod re-exports all its locales; only English is used.
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /[\\/]zod[\\/]v4[\\/]/.test(a.importer) ? { path: 'zod-locales-en', namespace: 'view-stub' } : undefined,
    );
    b.onLoad({ filter: /^zod-locales-en$/, namespace: 'view-stub' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: process.cwd(),
    }));
    // The client's platform shims: only its JSON Schema validator (for tool output schemas) is bundled, and an App
    // validates none.
    b.onResolve({ filter: /^@modelcontextprotocol\/client\/_shims$/ }, () => ({
      path: 'client-shims',
      namespace: 'view-stub',
    }));
    b.onLoad({ filter: /^client-shims$/, namespace: 'view-stub' }, () => ({
      contents:
        'export const CORS_IS_POSSIBLE = true; export class DefaultJsonSchemaValidator { getValidator() { throw ' +
        "new Error('no JSON Schema validator in the MCP Apps view bundle'); } }",
    }));
    // The MCP client package declares no `sideEffects`, so a bundler must keep every module
    // its index imports (OAuth flows, HTTP transports, …) although an App uses only its
    // Protocol class. Its modules only define things: mark them side-effect free so that
    // what the App does not use is dropped. And one copy of the SDK's core: the one the
    // client itself uses (npm may nest a second one under it).
    b.onResolve({ filter: /^@modelcontextprotocol\/(client|core)(\/|$)|^\.\.?\// }, async (a) => {
      if (a.pluginData === 'resolving') return undefined;
      const fromClient = /[\\/]@modelcontextprotocol[\\/]client[\\/]/.test(a.importer);
      const isCore = /^@modelcontextprotocol\/core(\/|$)/.test(a.path);
      if (!fromClient && !isCore && !/^@modelcontextprotocol\/client/.test(a.path)) return undefined;
      const resolveDir = isCore && !fromClient ? clientDir : a.resolveDir;
      const r = await b.resolve(a.path, { resolveDir, kind: a.kind, importer: a.importer, pluginData: 'resolving' });
      if (r.errors.length) return { errors: r.errors };
      return /[\\/]@modelcontextprotocol[\\/]client[\\/]/.test(r.path) ? { ...r, sideEffects: false } : r;
    });
    // zod's JIT compiler and JSON Schema conversion.
    b.onLoad(
      {
        filter:
          /[\\/]zod[\\/]v4[\\/](core[\\/](compile|json-schema-processors|to-json-schema|json-schema-generator)|classic[\\/]from-json-schema)\.js$/,
      },
      (a) => ({
        contents: stubExports(a.path),
      }),
    );
  },
};

// Where the MCP client package lives (ext-apps' peer): its copy of core is the one bundled.
const clientDir = dirname(createRequire(join(process.cwd(), 'package.json')).resolve('@modelcontextprotocol/client'));

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The Content-Security-Policy a view declares for itself: its own script and style, nothing from anywhere. */
export function viewCsp(script, style) {
  return [
    `default-src 'none'`,
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    `img-src data:`,
    `connect-src 'none'`,
    `font-src 'none'`,
    `frame-src 'none'`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
}

export async function buildViews(outDir = 'dist/apps') {
  mkdirSync(outDir, { recursive: true });
  const style = readFileSync('src/apps/views/style.css', 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
  const sizes = {};
  for (const name of VIEWS) {
    const out = await build({
      entryPoints: [`src/apps/views/${name}.ts`],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      plugins: [leaveOut],
      logLevel: 'warning',
    });
    // An inline script must not close its own tag.
    const script = out.outputFiles[0].text.replace(/<\/(script)/gi, '<\\/$1').trim();
    const title = name === 'margin-view' ? 'Margin account' : 'Confirm action';
    const html =
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
      `<meta http-equiv="Content-Security-Policy" content="${viewCsp(script, style)}">` +
      `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" ` +
      `content="light dark">` +
      `<title>${title}</title><style>${style}</style></head>` +
      `<body><main id="app"></main><script>${script}</script></body></html>\n`;
    const bytes = Buffer.byteLength(html);
    if (bytes > MAX_VIEW_BYTES)
      throw new Error(`${name}.html is ${bytes} bytes, over the ${MAX_VIEW_BYTES} a view may weigh`);
    writeFileSync(`${outDir}/${name}.html`, html);
    sizes[name] = bytes;
  }
  return sizes;
}

/** The minimal MCP Apps host page of the browser test: ext-apps' AppBridge, as one classic script. */
export async function buildTestHost(outFile = 'dist/test-browser/host.js') {
  await build({
    entryPoints: ['test/browser/host-page.ts'],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    outfile: outFile,
    logLevel: 'warning',
  });
}
