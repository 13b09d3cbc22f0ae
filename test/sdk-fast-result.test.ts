/**
 * The check the bundle puts in front of the SDK's tools/call result validation
 * (src/sdk-fast-result.ts, issue 23): it passes only results the SDK's own
 * CallToolResult schema accepts unchanged, and it does pass what our envelope builds
 * (or the zod parse it saves, and the old-generation growth it caused, would be back).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { specTypeSchemas } from '@modelcontextprotocol/server';
import { ToolError } from '../src/errors.js';
import { isPlainTextToolResult } from '../src/sdk-fast-result.js';
import { fail, ok } from '../src/tools/envelope.js';

const schema = specTypeSchemas.CallToolResult as unknown as {
  safeParse(v: unknown): { success: boolean; data?: unknown };
};

const text = (t: string) => ({ type: 'text', text: t });
const withGetter = () => {
  const o: Record<string, unknown> = { content: [text('x')] };
  Object.defineProperty(o, 'structuredContent', { get: () => ({ a: 1 }), enumerable: true });
  return o;
};
const hidden = () => {
  const o: Record<string, unknown> = { content: [text('x')] };
  Object.defineProperty(o, 'isError', { value: true, enumerable: false });
  return o;
};

const accepted: [string, unknown][] = [
  ['ok()', ok({ account: 'main', data: { a: [1, 2, { b: null }] } })],
  ['ok() with a credential scrubbed', ok({ note: 'signature=abcdef0123456789' })],
  ['fail()', fail(new ToolError('validation', 'symbol: must be a pair', { hint: 'h' }))],
  ['fail() of a plain error', fail(new Error('boom'))],
  ['no structured content', { content: [text('a'), text('b')] }],
  ['empty content', { content: [], structuredContent: {} }],
  ['isError false', { content: [text('a')], isError: false, structuredContent: { x: 'y' } }],
];

const rejected: [string, unknown][] = [
  ['null', null],
  ['an array', [text('a')]],
  ['content missing', { structuredContent: {} }],
  ['content not an array', { content: text('a') }],
  ['an image block', { content: [{ type: 'image', data: 'AA==', mimeType: 'image/png' }] }],
  ['text not a string', { content: [{ type: 'text', text: 1 }] }],
  ['a text block with more keys', { content: [{ ...text('a'), annotations: { priority: 1 } }] }],
  ['a hole in content', { content: Object.assign(new Array(2), { 1: text('b') }) }],
  ['a _meta', { content: [text('a')], _meta: { x: 1 } }],
  ['another top-level key', { content: [text('a')], extra: 1 }],
  ['structured content an array', { content: [text('a')], structuredContent: [1] }],
  ['structured content null', { content: [text('a')], structuredContent: null }],
  ['structured content a Date', { content: [text('a')], structuredContent: new Date(0) }],
  ['structured content with a symbol key', { content: [text('a')], structuredContent: { [Symbol('s')]: 1 } }],
  [
    'structured content with an own __proto__',
    { content: [text('a')], structuredContent: JSON.parse('{"__proto__":{"a":1}}') },
  ],
  ['isError a string', { content: [text('a')], isError: 'yes' }],
  ['isError present but undefined', { content: [text('a')], isError: undefined }],
  ['a getter', withGetter()],
  ['a property that is not enumerable', hidden()],
  ['an object with no prototype', Object.assign(Object.create(null), { content: [text('a')] })],
  [
    'a class instance',
    new (class R {
      content = [text('a')];
    })(),
  ],
];

describe('the fast tools/call result check', () => {
  for (const [name, value] of accepted)
    test(`passes ${name}, which the SDK's schema accepts and copies unchanged`, () => {
      assert.equal(isPlainTextToolResult(value), true);
      const parsed = schema.safeParse(value);
      assert.equal(parsed.success, true);
      assert.deepStrictEqual(parsed.data, value);
    });

  for (const [name, value] of rejected)
    test(`leaves ${name} to the SDK's schema`, () => {
      assert.equal(isPlainTextToolResult(value), false);
    });
});
