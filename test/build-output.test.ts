/**
 * What scripts/build.mjs changes in the SDK's per-request path for issue 23, checked on
 * the built chunks (bench/README.md has the measurements behind each):
 * - the context the SDK builds for each request holds no object literal that begins
 *   with a spread and then adds properties (`{ ...a, b }`): on Node 20 such objects,
 *   and all they reach, outlive young-generation GCs;
 * - the SDK's tools/call result validation has the fast check in front of it;
 * - a tools/call request is validated once, not twice;
 * - the stdio read buffer does not copy every chunk into a new buffer;
 * - a stdio line that is a plain request is not parsed against the message schema, nor
 *   against the request schema to tell it apart, and a plain tools/call not against
 *   the CallToolRequest schema;
 * - the stdio channel's bookkeeping of requests in flight tells messages apart by their
 *   shape, not by a zod parse of each;
 * - the entry holds V8's young generation and keeps WebAssembly in Liftoff code before it loads
 *   the server (src/runtime/young-generation.ts, wasm-tier.ts), and arms the tier-up (V8's lower
 *   optimization budgets from the first tools/call on) once it serves (src/runtime/tier-up.ts);
 * - of undici, only the Pool and its request API are bundled, not fetch or WebSocket;
 * - every file is ASCII: V8 keeps each module's source for as long as its functions
 *   live, at two bytes a character if one is outside Latin-1;
 * - every file is under 240 KB (scripts/chunk-cap.mjs): once glibc frees a block it had
 *   mmapped, it raises its mmap and trim thresholds to that size for good, and Node reads
 *   each file into one block. The cut chunks import each other without a cycle.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import ts from 'typescript';

const CHUNKS = fileURLToPath(new URL('../chunks/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const chunks = readdirSync(CHUNKS)
  .filter((n) => n.endsWith('.js'))
  .map((n) => ({ name: n, js: readFileSync(join(CHUNKS, n), 'utf8') }));
/** The executable's entry, which imports the chunks. */
const entry = {
  name: 'binance-margin-mcp.js',
  js: readFileSync(fileURLToPath(new URL('../binance-margin-mcp.js', import.meta.url)), 'utf8'),
};

/** The most any built file may hold, as the build enforces it (scripts/chunk-cap.mjs; bench/README.md, "Tenth look"). */
const { CHUNK_CAP } = (await import(new URL('../../scripts/chunk-cap.mjs', import.meta.url).href)) as {
  CHUNK_CAP: number;
};

/** The chunks `name` imports statically, directly or through others (with itself unless `self` is false). */
function staticallyLoaded(name: string, self = true): Set<string> {
  const seen = new Set<string>(self ? [name] : []);
  const visit = (n: string) => {
    const js = chunks.find((c) => c.name === n)?.js ?? '';
    for (const m of js.matchAll(/^(?:import|export)\b[^;]*?"\.\/([\w-]+\.js)";$/gms))
      if (!seen.has(m[1]!)) {
        seen.add(m[1]!);
        visit(m[1]!);
      }
  };
  visit(name);
  return seen;
}

/** The module (`// path` line esbuild writes before each) whose code declares `binding` at the top of a chunk. */
function declaredIn(js: string, binding: string): string | undefined {
  const at = js.search(
    new RegExp(`^(?:var|let|const|class|(?:async )?function\\*?) ${binding.replace(/\$/g, '\\$')}\\b`, 'm'),
  );
  return at < 0 ? undefined : [...js.slice(0, at).matchAll(/^\/\/ (\S+)$/gm)].at(-1)?.[1];
}

/** Whether the package.json nearest a bundled module says it has no side effects (`false`, or a list it is not on). */
function sideEffectFree(module: string | undefined): boolean {
  const parts = module?.split('/') ?? [];
  for (let n = parts.length - 1; n > 0 && parts[n - 1] !== 'node_modules'; n--) {
    const file = join(ROOT, ...parts.slice(0, n), 'package.json');
    if (!existsSync(file)) continue;
    const { sideEffects } = JSON.parse(readFileSync(file, 'utf8'));
    const self = `./${parts.slice(n).join('/')}`;
    return sideEffects === false || (Array.isArray(sideEffects) && !sideEffects.includes(self));
  }
  return false;
}

/** The source of the one built chunk that holds `start`, from there to `end`. */
function builtSource(start: string, end: string): string {
  const holding = chunks.filter((c) => c.js.includes(start));
  assert.equal(holding.length, 1, `one chunk holds ${start}`);
  const js = holding[0]!.js;
  const at = js.indexOf(start);
  return js.slice(at, js.indexOf(end, at));
}

describe('the built chunks', () => {
  test("build the SDK's request context without an object literal that begins with a spread", () => {
    const found: string[] = [];
    let methods = 0;
    for (const { name, js } of chunks) {
      if (!js.includes('buildContext(ctx, transportInfo) {')) continue;
      const sf = ts.createSourceFile(name, js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
      const visit = (n: ts.Node, inside: boolean) => {
        const isBuildContext = ts.isMethodDeclaration(n) && n.name.getText() === 'buildContext';
        if (isBuildContext) methods++;
        const here = inside || isBuildContext;
        if (
          here &&
          ts.isObjectLiteralExpression(n) &&
          n.properties.length > 1 &&
          ts.isSpreadAssignment(n.properties[0]!) &&
          n.properties.some((p) => !ts.isSpreadAssignment(p))
        )
          found.push(`${name}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`);
        ts.forEachChild(n, (c) => visit(c, here));
      };
      visit(sf, false);
    }
    assert.ok(methods >= 1, 'the SDK has a buildContext method');
    assert.deepEqual(found, []);
  });

  test('check a tools/call result with the fast check before the SDK schema', () => {
    const sites = chunks.filter((c) =>
      c.js.includes('isPlainTextToolResult(normalizedResult) ? { ok: true, value: normalizedResult } :'),
    );
    assert.equal(sites.length, 1);
  });

  test('validate a tools/call request once: the wrapper hands its verdict to the handler it wraps', () => {
    const js = chunks.map((c) => c.js).join('\n');
    const handOver = js.match(/\bhandOverValidated\w*\(request, validatedRequest\.value\);/g) ?? [];
    const take =
      js.match(/let outcome = takeValidated\w*\(method, request\) \?\? dispatchCodec\.validateRequest\(/g) ?? [];
    assert.equal(handOver.length, 1);
    assert.equal(take.length, 1);
  });

  test("keep the stdio channel's bookkeeping free of zod parses", () => {
    const body = builtSource('var StdioConnectionChannel = class {', '\n};\n');
    assert.match(body, /deliver\(message, extra\)/);
    assert.doesNotMatch(body, /isJSONRPC\w+\(/);
  });

  test('parse a stdio line against the JSON-RPC message schema unless it is a plain request', () => {
    assert.match(
      builtSource('function deserializeMessage(line) {', '\n}\n'),
      /isPlainRequest\(message\) \? message : JSONRPCMessageSchema\.parse/,
    );
  });

  test('tell a plain request apart, and take a plain tools/call, without their zod schemas', () => {
    const js = chunks.map((c) => c.js).join('\n');
    const guard = js.match(/var isJSONRPCRequest = \(v\) => isPlainRequest\w* *\(v\) \|\| [^\n]*JSONRPCRequestSchema/g);
    assert.equal(guard?.length, 1);
    const wrapper = js.match(
      /validatedRequest = plainToolCall\w*\(request\) \?\? codec\w*\.validateRequest\("tools\/call"/g,
    );
    assert.equal(wrapper?.length, 1);
  });

  test('read stdio lines without copying each chunk into a new buffer', () => {
    const body = builtSource('var ReadBuffer = class {', '\n};\n');
    assert.match(
      body,
      /this\._buffer = this\._buffer\?\.length \? Buffer\.concat\(\[this\._buffer, chunk\]\) : chunk;/,
    );
    assert.match(
      body,
      /this\._buffer = index \+ 1 < this\._buffer\.length \? this\._buffer\.subarray\(index \+ 1\) : void 0;/,
    );
  });

  // `first` and `then` both in the built entry, `first` before `then`.
  const inEntryInOrder = (first: string, then: string) => {
    const [a, b] = [entry.js.indexOf(first), entry.js.indexOf(then)];
    assert.ok(a > 0 && b > 0, `${first} and ${then} are in the entry`);
    assert.ok(a < b, `${first} before ${then}`);
  };

  test("hold V8's young generation in the entry before the server is loaded", () =>
    inEntryInOrder('youngGeneration.hold();', 'await import("./chunks/main-'));

  test('keep WebAssembly in Liftoff code in the entry before the server (and undici with it) is loaded', () =>
    inEntryInOrder('keepWasmInLiftoff();', 'await import("./chunks/main-'));

  test("arm the tier-up (V8's lower budgets) in the entry once the server serves, not before start-up", () =>
    inEntryInOrder('await main(', 'tierUp.arm();'));

  test('bundle only the Pool of undici, not its fetch, WebSocket or cache, and load it with the first request', () => {
    const undici = chunks.filter((c) => c.js.includes('// node_modules/undici/lib/'));
    assert.ok(undici.length >= 1);
    const js = undici.map((c) => c.js).join('\n');
    assert.match(js, /\/\/ node_modules\/undici\/lib\/dispatcher\/pool\.js\n/);
    for (const unused of ['web/fetch/index.js', 'web/websocket/', 'cache/', 'mock/', 'dispatcher/proxy-agent.js'])
      assert.ok(!js.includes(`// node_modules/undici/lib/${unused}`), unused);
    const atStart = staticallyLoaded(chunks.find((c) => c.name.startsWith('main-'))!.name);
    assert.ok(atStart.size > 1, 'the server chunk and what it imports');
    assert.deepEqual(
      undici.map((c) => c.name).filter((n) => atStart.has(n)),
      [],
      'no undici chunk is imported by the server before its first request',
    );
  });

  test(`are each at most ${CHUNK_CAP / 1024} KB, under the mmap threshold Node's own start leaves glibc at`, () => {
    const sizes = [...chunks, entry].map((f) => ({
      name: f.name,
      bytes: Buffer.byteLength(f.js),
    }));
    assert.deepEqual(
      sizes.filter((f) => f.bytes > CHUNK_CAP),
      [],
    );
    // The cut keeps what runs first in a chunk before what runs after it: the chunks import each other without a cycle.
    for (const c of chunks) assert.ok(!staticallyLoaded(c.name, false).has(c.name), `${c.name} imports itself back`);
  });

  test('export only what another file imports, so that the cut adds no module variable for V8 to read through a cell', () => {
    const files = [...chunks, entry];
    const names = (list: string) =>
      list
        .split(',')
        .map((spec) => spec.trim().split(/\s+as\s+/))
        .filter(([name]) => name);
    const imported = new Set<string>();
    const loadedWhole = new Set<string>();
    for (const { js } of files) {
      for (const m of js.matchAll(/^import \{([^}]*)\} from "\.\/(?:chunks\/)?([\w-]+\.js)";$/gm))
        for (const [name] of names(m[1]!)) imported.add(`${m[2]}:${name}`);
      // A chunk loaded with import() is read as a namespace: its exports are all in use.
      for (const m of js.matchAll(/\bimport\("\.\/(?:chunks\/)?([\w-]+\.js)"\)/g)) loadedWhole.add(m[1]!);
    }
    const unused: string[] = [];
    for (const { name, js } of chunks) {
      if (loadedWhole.has(name)) continue;
      for (const m of js.matchAll(/^export \{([^}]*)\};$/gm))
        for (const [local, as] of names(m[1]!)) {
          const exported = as ?? local!;
          if (imported.has(`${name}:${exported}`)) continue;
          // A CommonJS module's wrapper is called once, at its first require, so an export of one costs nothing.
          if (/^require_\w+$/.test(local!)) continue;
          // The cut entries name one export of a module whose package declares it free of side effects (zod).
          if (sideEffectFree(declaredIn(js, local!))) continue;
          unused.push(`${name}:${exported}`);
        }
    }
    assert.ok(imported.size > 50, 'the chunks import from each other');
    assert.deepEqual(unused, []);
  });

  test('are ASCII only, so that V8 holds their source at one byte a character', () => {
    const files = [...chunks, entry];
    const wide = files.filter((f) => /[\u0080-\uffff]/.test(f.js)).map((f) => f.name);
    assert.ok(files.length > 5);
    assert.deepEqual(wide, []);
  });
});
