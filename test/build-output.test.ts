/**
 * What scripts/build.mjs does to the bundled code for issue 23, checked on the built
 * chunks (bench/README.md has the measurements behind each):
 * - no object literal begins with a spread and then adds properties (`{ ...a, b }`):
 *   on Node 20 such objects, and what they reach, outlive young-generation GCs;
 * - the object-rest helper that replaces V8's own keeps an own "__proto__" key a
 *   property, as V8 does, instead of making it the copy's prototype;
 * - the SDK's tools/call result validation has the fast check in front of it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import ts from 'typescript';

const CHUNKS = fileURLToPath(new URL('../chunks/', import.meta.url));
const chunks = readdirSync(CHUNKS)
  .filter((n) => n.endsWith('.js'))
  .map((n) => ({ name: n, js: readFileSync(join(CHUNKS, n), 'utf8') }));

describe('the built chunks', () => {
  test('hold no object literal that begins with a spread and then adds a property', () => {
    const found: string[] = [];
    for (const { name, js } of chunks) {
      const sf = ts.createSourceFile(name, js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
      const visit = (n: ts.Node) => {
        if (
          ts.isObjectLiteralExpression(n) &&
          n.properties.length > 1 &&
          ts.isSpreadAssignment(n.properties[0]!) &&
          n.properties.some((p) => !ts.isSpreadAssignment(p))
        )
          found.push(`${name}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`);
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    assert.deepEqual(found, []);
  });

  test('copy an own "__proto__" key as a property in object rest, never as the prototype', () => {
    const withHelper = chunks.filter((c) => c.js.includes('var __objRest = '));
    assert.equal(withHelper.length, 1);
    const js = withHelper[0]!.js;
    const at = js.indexOf('var __objRest = ');
    const source = js.slice(at, js.indexOf('\n};\n', at) + 3);
    const objRest = new Function('__hasOwnProp', '__getOwnPropSymbols', '__propIsEnum', `${source}; return __objRest;`)(
      Object.prototype.hasOwnProperty,
      Object.getOwnPropertySymbols,
      Object.prototype.propertyIsEnumerable,
    ) as (source: object, exclude: string[]) => Record<string, unknown>;
    const rest = objRest(JSON.parse('{"id":1,"__proto__":{"admin":true},"b":2}'), ['id']);
    assert.equal(Object.getPrototypeOf(rest), Object.prototype);
    assert.deepEqual(Object.keys(rest), ['__proto__', 'b']);
    assert.equal(rest.admin, undefined);
  });

  test('check a tools/call result with the fast check before the SDK schema', () => {
    const sites = chunks.filter((c) =>
      c.js.includes('isPlainTextToolResult(normalizedResult) ? { ok: true, value: normalizedResult } :'),
    );
    assert.equal(sites.length, 1);
  });
});
