/**
 * compactSchema (src/tools/json-schema.ts) keeps any tool's JSON Schema inside what
 * every provider accepts, however it was produced: the parameter builders already
 * emit plain types, but a schema written another way (a union, a literal, a zod
 * version that writes type arrays) is folded here before it is listed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { compactSchema } from '../src/tools/json-schema.js';
import { anthropicProblems, geminiProblems, openAIStrictProblems, toStrict } from './helpers/provider-schemas.js';

type Json = Record<string, any>;
const object = (properties: Json, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const compact = (s: unknown) => compactSchema(s) as Json;

test('folds what providers refuse into one type', () => {
  const out = compact(
    object({
      side: { type: 'string', enum: ['BUY', 'SELL'] },
      bare: { enum: ['A', 'B'] },
      price: { type: ['string', 'number'] },
      amount: { anyOf: [{ type: 'number' }, { type: 'string' }] },
      symbols: { description: 'pairs', anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
      leverage: {
        anyOf: [
          { type: 'number', const: 3 },
          { type: 'number', const: 5 },
        ],
      },
      mode: {
        anyOf: [
          { type: 'string', const: 'A' },
          { type: 'string', const: 'B' },
        ],
      },
      one: { const: 'X' },
      level: { type: 'integer', enum: [1, 2] },
      maybe: { type: ['integer', 'null'] },
      name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^a' },
      id: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
    }),
  );
  assert.deepEqual(out.properties, {
    side: { type: 'string', enum: ['BUY', 'SELL'] },
    bare: { enum: ['A', 'B'], type: 'string' },
    price: { type: 'string' },
    amount: { type: 'string' },
    symbols: { description: 'pairs', type: 'array', items: { type: 'string' } },
    leverage: { type: 'integer', description: 'One of 3, 5' },
    mode: { type: 'string', enum: ['A', 'B'] },
    one: { type: 'string', enum: ['X'] },
    level: { type: 'integer', description: 'One of 1, 2' },
    maybe: { type: 'integer' },
    name: { type: 'string', pattern: '^a' },
    id: { type: 'integer' },
  });
  assert.equal(out.additionalProperties, undefined, 'closed by strict conversions, not listed');
  const tool = { name: 'folded', description: 'x', inputSchema: out };
  assert.deepEqual(
    [
      ...geminiProblems(tool),
      ...openAIStrictProblems({ ...tool, inputSchema: toStrict(out) as Json }),
      ...anthropicProblems(tool),
    ],
    [],
  );
});

test('leaves alone what it cannot fold safely, and never mistakes a parameter name for a keyword', () => {
  const objects = { anyOf: [object({ a: { type: 'string' } }), object({ b: { type: 'string' } })] };
  assert.deepEqual(compact(objects).anyOf.length, 2);
  const named = compact(
    object({ type: { type: 'string', enum: ['LIMIT'] }, const: { type: 'string' }, enum: { type: 'integer' } }, [
      'type',
    ]),
  );
  assert.deepEqual(named.properties, {
    type: { type: 'string', enum: ['LIMIT'] },
    const: { type: 'string' },
    enum: { type: 'integer' },
  });
  assert.deepEqual(named.required, ['type']);
});

test('an object without properties stays closed: without it the Agents SDK takes it as free-form', () => {
  assert.deepEqual(
    compact({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {},
      additionalProperties: false,
    }),
    { type: 'object', properties: {}, additionalProperties: false },
  );
});

test("zod's own output of the shapes issue 17 found comes out provider-safe", () => {
  const schema = z.strictObject({
    price: z.union([z.string(), z.number()]).optional(),
    list: z.union([z.array(z.string()), z.string()]),
    leverage: z.union([z.literal(3), z.literal(5)]),
    side: z.enum(['BUY', 'SELL']),
  });
  const out = compact(z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }));
  assert.deepEqual(out.properties, {
    price: { type: 'string' },
    list: { type: 'array', items: { type: 'string' } },
    leverage: { type: 'integer', description: 'One of 3, 5' },
    side: { type: 'string', enum: ['BUY', 'SELL'] },
  });
  assert.deepEqual(geminiProblems({ name: 't', inputSchema: out }), []);
});
