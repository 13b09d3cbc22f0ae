// Build: type-check and compile everything with tsc (dist/src, dist/test, …), then
// bundle the server into one file with esbuild, which is what `bin` runs and what the
// end-to-end tests start: users run exactly what was tested. One file starts faster
// than hundreds of ES modules (see bench/).
//
// `--bundle-only` skips tsc (about 15 s here) and builds just what running the server
// needs; `npm start` uses it on a fresh clone.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildTestHost, buildViews } from './build-views.mjs';
import { buildWithCappedChunks } from './chunk-cap.mjs';

const bundleOnly = process.argv.includes('--bundle-only');
if (bundleOnly) {
  for (const f of ['dist/binance-margin-mcp.js', 'dist/chunks', 'dist/tool-list.json', 'dist/apps'])
    rmSync(f, { recursive: true, force: true });
} else {
  rmSync('dist', { recursive: true, force: true });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  // The browser test's host page (AppBridge), bundled for the browser.
  await buildTestHost('dist/test-browser/host.js');
}
// The MCP Apps views: one self-contained HTML file each, served as ui:// resources.
await buildViews('dist/apps');

// zod re-exports every one of its ~50 locales as `z.locales`; only English is ever
// used (zod loads it itself from locales/en.js). Bundling only English saves ~360 KB
// of code the server would otherwise compile at every start.
const onlyEnglishZodLocales = {
  name: 'only-english-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: process.cwd(),
    }));
  },
};

// The MCP SDK imports its runtime defaults through `@modelcontextprotocol/server/_shims`;
// on Node that is an AJV JSON Schema validator (about 11 ms to load at every start, and
// ~200 KB), used only to check elicitation answers. The server passes its own small
// validator (src/form-validator.ts), so the bundle resolves the shims to ours.
const sdkShims = {
  name: 'sdk-shims-without-ajv',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({
      path: `${process.cwd()}/src/sdk-shims.ts`,
    }));
  },
};

// The SDK tells JSON-RPC message kinds apart with zod: every inbound request is
// tried as a result and as an error response first, and each failed safeParse builds
// a ZodError (issues, a captured stack): most of the SDK's own cost per call (issue 23).
// Each guard gets a check in front that only answers "no" when the schema could not
// match (the key it requires is missing: `result`, `error`, `method` and `id`; a
// notification has no `id`, and its schema is strict); anything else still goes to
// the SDK's zod schema, so what is accepted is unchanged. The build fails if the
// guards are not found (an SDK upgrade changed them): look again then.
const GUARD_PREFILTERS = {
  isJSONRPCRequest: 'v.method !== undefined && v.id !== undefined',
  isJSONRPCNotification: 'v.method !== undefined && v.id === undefined',
  isJSONRPCResultResponse: 'v.result !== undefined',
  isJSONRPCErrorResponse: 'v.error !== undefined',
};
// Rewrites of the SDK's per-request path (issue 23, bench/README.md), each with the
// module of ours it imports and the lines it replaces. The build fails if a line is
// not found exactly as often as expected (an SDK upgrade changed it): look again then.
const srcModule = (name) => JSON.stringify(`${process.cwd()}/src/${name}`);
const SDK_EDITS = {
  // Every inbound request gets an AbortController from the SDK (Protocol._onrequest),
  // and its signal rides on the handler's context. Under concurrent calls that kept
  // requests alive through young-generation GCs, and RSS grew. The bundle makes it lazy
  // (src/sdk-lazy-abort.ts): the signal is made only when a handler reads it.
  'lazy-abort': {
    marker: '_onrequest(rawRequest, extra) {',
    imports:
      `import { LAZY_ABORT as __bmmLazyAbort, LazyAbortController as __BmmLazyAbortController, ` +
      `withLazySignal as __bmmWithLazySignal } from ${srcModule('sdk-lazy-abort.ts')};\n`,
    edits: [
      ['const abortController = new AbortController();', 'const abortController = new __BmmLazyAbortController();', 1],
      ['signal: abortController.signal,', '[__bmmLazyAbort]: abortController,', 1],
      [
        'const ctx = this.buildContext(baseCtx, extra);',
        'const ctx = __bmmWithLazySignal(this.buildContext(baseCtx, extra));',
        1,
      ],
      ['if (abortController.signal.aborted) return;', 'if (abortController.aborted) return;', 2],
    ],
  },
  // Node 20 (V8 11.3) keeps an object that begins with a spread and then gets another
  // property (`{ ...a, b }`) through young-generation GCs, and with it all it reaches:
  // the context the SDK builds for each request held the whole request (Node 22 and 24
  // do not; bench/v8-promotion.mjs). Object.assign builds the same object here: what
  // is copied is the SDK's own context, with no "__proto__" key and no getters.
  'context-without-spread': {
    marker: 'buildContext(ctx, transportInfo) {',
    imports: '',
    edits: [
      [
        '\t\treturn {\n\t\t\t...ctx,\n\t\t\tmcpReq: {\n\t\t\t\t...ctx.mcpReq,\n\t\t\t\tlog:',
        '\t\treturn Object.assign({}, ctx, {\n\t\t\tmcpReq: Object.assign({}, ctx.mcpReq, {\n\t\t\t\tlog:',
        1,
      ],
      [
        '\t\t\t\trequestSampling: (params, options) => this.createMessage(params, options)\n\t\t\t},\n',
        '\t\t\t\trequestSampling: (params, options) => this.createMessage(params, options)\n\t\t\t}),\n',
        1,
      ],
      [
        '\t\t\thttp: hasHttpInfo ? {\n\t\t\t\t...ctx.http,\n',
        '\t\t\thttp: hasHttpInfo ? Object.assign({}, ctx.http, {\n',
        1,
      ],
      [
        '\t\t\t\tcloseStandaloneSSE: transportInfo?.closeStandaloneSSEStream\n\t\t\t} : void 0\n\t\t};\n',
        '\t\t\t\tcloseStandaloneSSE: transportInfo?.closeStandaloneSSEStream\n\t\t\t}) : void 0\n\t\t});\n',
        1,
      ],
    ],
  },
  // The stdio channel keeps a set of the requests it delivered and not yet answered, and
  // told them apart with the zod guards: a full parse of every inbound request and every
  // outbound answer (~20 µs a call), for bookkeeping alone. What it delivers was parsed
  // as a JSON-RPC message already, and what it sends is the SDK's own, so the shape tells
  // the kind exactly.
  'channel-bookkeeping': {
    marker: 'var StdioConnectionChannel = class {',
    imports: '',
    edits: [
      [
        '\t\tif (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {\n\t\t\tconst { id } = message;',
        '\t\tif (message.method === void 0 && (message.result !== void 0 || message.error !== void 0)) {\n' +
          '\t\t\tconst { id } = message;',
        1,
      ],
      [
        '\t\tif (isJSONRPCRequest(message)) this._pendingRequests.add(message.id);\n' +
          '\t\telse if (isJSONRPCNotification(message) && message.method === "notifications/cancelled") {',
        '\t\tif (message.method !== void 0 && message.id !== void 0) this._pendingRequests.add(message.id);\n' +
          '\t\telse if (message.id === void 0 && message.method === "notifications/cancelled") {',
        1,
      ],
    ],
  },
  // The SDK checked each tools/call request twice against the same schema: in its
  // tools/call wrapper (for the -32602 error) and again in the handler it wraps. The
  // wrapper now hands its verdict over (src/sdk-prevalidated.ts); ~8 µs a call.
  'tools-call-validated-once-wrapper': {
    marker: 'const validatedRequest = codec.validateRequest("tools/call", request);',
    imports: `import { handOverValidated as __bmmHandOverValidated } from ${srcModule('sdk-prevalidated.ts')};\n`,
    edits: [
      [
        '\t\t\tconst result = await this._invokeInputRequiredCapableHandler("tools/call", handler, request, ctx);',
        '\t\t\t__bmmHandOverValidated(request, validatedRequest.value);\n' +
          '\t\t\tconst result = await this._invokeInputRequiredCapableHandler("tools/call", handler, request, ctx);',
        1,
      ],
    ],
  },
  'tools-call-validated-once-handler': {
    marker: 'let outcome = dispatchCodec.validateRequest(method, request);',
    imports: `import { takeValidated as __bmmTakeValidated } from ${srcModule('sdk-prevalidated.ts')};\n`,
    edits: [
      [
        'let outcome = dispatchCodec.validateRequest(method, request);',
        'let outcome = __bmmTakeValidated(method, request) ?? dispatchCodec.validateRequest(method, request);',
        1,
      ],
    ],
  },
  // The stdio transport parsed every line against the JSON-RPC message schema, a zod
  // union of four strict objects: 10–26 µs a call in a process's first few hundred calls.
  // A request of the plain shape passes without it (src/sdk-plain-request.ts); its
  // params are checked by its method's schema anyway. Anything else goes to the schema.
  // The stdio read buffer kept an empty Buffer after each line, so every chunk read
  // was copied by Buffer.concat into a new one, and every read ended with a search of
  // that empty buffer: ~20 us of a call in a fresh process (issue 23). It now keeps
  // nothing once a chunk is used up, takes the next chunk as it comes, and looks for the
  // byte 10 rather than the string "\n" (the same index).
  'stdio-read-buffer': {
    marker: 'var ReadBuffer = class {',
    imports: '',
    edits: [
      [
        '\t\tthis._buffer = this._buffer ? Buffer.concat([this._buffer, chunk]) : chunk;',
        '\t\tthis._buffer = this._buffer?.length ? Buffer.concat([this._buffer, chunk]) : chunk;',
        1,
      ],
      ['\t\t\tconst index = this._buffer.indexOf("\\n");', '\t\t\tconst index = this._buffer.indexOf(10);', 1],
      [
        '\t\t\tthis._buffer = this._buffer.subarray(index + 1);',
        '\t\t\tthis._buffer = index + 1 < this._buffer.length ? this._buffer.subarray(index + 1) : void 0;',
        1,
      ],
    ],
  },
  'plain-request-read': {
    marker: 'function deserializeMessage(line) {',
    imports: `import { isPlainRequest as __bmmIsPlainRequest } from ${srcModule('sdk-plain-request.ts')};\n`,
    edits: [
      [
        '\treturn JSONRPCMessageSchema.parse(JSON.parse(line));',
        '\tconst message = JSON.parse(line);\n\treturn __bmmIsPlainRequest(message) ? message : JSONRPCMessageSchema.parse(message);',
        1,
      ],
    ],
  },
  // The SDK's Protocol tells a request from an answer or a notification by a zod parse
  // of the JSON-RPC request schema, once for every request read, whatever the
  // transport: a request of the plain shape is one without it (src/sdk-plain-request.ts).
  'plain-request-guard': {
    marker: 'const isJSONRPCRequest = (v) => typeof v === "object"',
    imports: `import { isPlainRequest as __bmmIsPlainRequestShape } from ${srcModule('sdk-plain-request.ts')};\n`,
    edits: [
      [
        'const isJSONRPCRequest = (v) => typeof v === "object"',
        'const isJSONRPCRequest = (v) => __bmmIsPlainRequestShape(v) || typeof v === "object"',
        1,
      ],
    ],
  },
  // The SDK's tools/call wrapper parsed every request against its era's CallToolRequest
  // schema; a plain one (a name and arguments) gets the same value without the parse
  // (src/sdk-plain-request.ts). Its arguments are checked by the tool's own schema.
  'plain-tool-call': {
    marker: 'const validatedRequest = codec.validateRequest("tools/call", request);',
    imports: `import { plainToolCall as __bmmPlainToolCall } from ${srcModule('sdk-plain-request.ts')};\n`,
    edits: [
      [
        'const validatedRequest = codec.validateRequest("tools/call", request);',
        'const validatedRequest = __bmmPlainToolCall(request) ?? codec.validateRequest("tools/call", request);',
        1,
      ],
    ],
  },
  // Every tools/call result is parsed against the SDK's CallToolResult schema; on Node
  // 22 and 24 that parse kept ~130 KB of each scavenge's survivors alive into the old
  // generation. A result of the one shape our envelope builds skips it
  // (src/sdk-fast-result.ts); any other still goes to the schema.
  'fast-result': {
    marker: 'const validationResult = codec.validateResult("tools/call", normalizedResult);',
    imports: `import { isPlainTextToolResult as __bmmIsPlainTextToolResult } from ${srcModule('sdk-fast-result.ts')};\n`,
    edits: [
      [
        'const validationResult = codec.validateResult("tools/call", normalizedResult);',
        'const validationResult = __bmmIsPlainTextToolResult(normalizedResult) ? { ok: true, value: normalizedResult } ' +
          ': codec.validateResult("tools/call", normalizedResult);',
        1,
      ],
    ],
  },
};

const sdkPatches = {
  name: 'sdk-guard-prefilters-and-request-path',
  setup(b) {
    const seen = new Set();
    b.onLoad({ filter: /[\\/]@modelcontextprotocol[\\/]server[\\/]dist[\\/][^\\/]+\.mjs$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      for (const [guard, pre] of Object.entries(GUARD_PREFILTERS)) {
        const re = new RegExp(`const ${guard} = \\(value\\) => (\\w+)\\.safeParse\\(value\\)\\.success;`);
        contents = contents.replace(re, (_m, schema) => {
          seen.add(guard);
          return (
            `const ${guard} = (v) => typeof v === "object" && v !== null && ${pre} && ` +
            `${schema}.safeParse(v).success;`
          );
        });
      }
      for (const [name, { marker, imports, edits }] of Object.entries(SDK_EDITS)) {
        if (!contents.includes(marker)) continue;
        for (const [from, to, times] of edits) {
          const found = contents.split(from).length - 1;
          if (found !== times)
            throw new Error(`${name}: expected ${times} × "${from}" in ${args.path}, found ${found}`);
          contents = contents.replaceAll(from, to);
        }
        contents = imports + contents;
        seen.add(name);
      }
      return { contents, loader: 'js' };
    });
    b.onEnd((r) => {
      const missing = [...Object.keys(GUARD_PREFILTERS), ...Object.keys(SDK_EDITS)].filter((g) => !seen.has(g));
      if (missing.length && !r.errors.length)
        r.errors.push({
          text:
            `sdk patches: ${missing.join(', ')} not found in @modelcontextprotocol/server; each is an entry ` +
            `of GUARD_PREFILTERS or SDK_EDITS in scripts/build.mjs: check the SDK code it rewrites again`,
        });
    });
  },
};

const outfile = 'dist/binance-margin-mcp.js';
await buildWithCappedChunks({
  entryPoints: { 'binance-margin-mcp': 'src/bin.ts' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: 'dist',
  // What start-up does not need (undici, the sandbox exchange) is split into chunks
  // that load on first use: listing tools never compiles them.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  banner: {
    // Bundled CommonJS dependencies (pino) still call require(); give them one.
    js:
      "#!/usr/bin/env node\nimport { createRequire as __bmmCreateRequire } from 'node:module';\nconst require = " +
      '__bmmCreateRequire(import.meta.url);',
  },
  plugins: [onlyEnglishZodLocales, sdkShims, sdkPatches],
  // jsonc-parser's default entry is a UMD build whose require() calls esbuild cannot
  // follow; its ES module build is the same code (used by `setup`).
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);

// V8 keeps a module's source in memory for as long as its functions live, at two bytes
// a character if a single one is outside Latin-1, else one. esbuild escapes non-ASCII in
// strings and regular expressions but keeps comments as they are, and a "’" in one of
// undici's comments made its 1.1 MB chunk cost 2.2 MB of heap (issue 23). So every
// character outside ASCII is escaped; \uXXXX means the same character anywhere JS
// allows one outside a comment, and inside a comment it is only text.
const outputs = [outfile, ...readdirSync('dist/chunks').map((f) => join('dist/chunks', f))];
for (const f of outputs) {
  const text = readFileSync(f, 'utf8');
  const ascii = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) writeFileSync(f, ascii);
}

// The tool list, computed once at build time by the real server and served by the
// bundle (src/tools/tool-list.ts). The generator is bundled too, so this step needs no tsc.
const generator = 'dist/.gen-tool-list.mjs';
await build({
  entryPoints: ['scripts/gen-tool-list.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: generator,
  banner: {
    js:
      "import { createRequire as __bmmCreateRequire } from 'node:module';\nconst require = " +
      '__bmmCreateRequire(import.meta.url);',
  },
  logLevel: 'warning',
});
execFileSync(process.execPath, [generator, 'dist/tool-list.json'], {
  stdio: 'inherit',
  env: { ...process.env, LOG_LEVEL: 'silent' },
});
rmSync(generator, { force: true });

// The build's identity, stamped into the entry: a hash of everything the server loads
// and serves. The opening cache (src/opening/) keeps answers per build, so a new build
// never replays an older one's answers.
const stamp = createHash('sha256');
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
for (const f of [...walk('dist/chunks'), ...walk('dist/apps'), 'dist/tool-list.json'])
  stamp.update(f).update(readFileSync(f));
const entry = readFileSync(outfile, 'utf8');
if (!entry.includes("'__BMM_BUILD_ID__'") && !entry.includes('"__BMM_BUILD_ID__"'))
  throw new Error('build id: the placeholder was not found in the entry (src/bin.ts)');
writeFileSync(outfile, entry.replace(/(['"])__BMM_BUILD_ID__\1/g, JSON.stringify(stamp.digest('hex').slice(0, 32))));
