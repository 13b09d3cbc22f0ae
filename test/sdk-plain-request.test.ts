/**
 * The checks the bundle puts in front of the SDK's parses of every request
 * (src/sdk-plain-request.ts, issue 23): they pass only requests the SDK's JSON-RPC
 * message and request schemas accept, and tools/call requests whose value is what the
 * CallToolRequest schema gives; and they do pass the requests a client sends for tool
 * calls (or the parses they save would be back).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { specTypeSchemas } from '@modelcontextprotocol/server';
import { isPlainRequest, plainToolCall } from '../src/sdk-plain-request.js';

type Schema = { safeParse(v: unknown): { success: boolean; data?: unknown } };
const schema = specTypeSchemas.JSONRPCMessage as unknown as Schema;
const requestSchema = specTypeSchemas.JSONRPCRequest as unknown as Schema;
const toolCallSchema = specTypeSchemas.CallToolRequest as unknown as Schema;

// As they arrive: JSON text, parsed here as the transport parses each line.
const accepted: [string, string][] = [
  [
    'a tools/call',
    '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,{"b":null}]}}}',
  ],
  ['a string id', '{"jsonrpc":"2.0","id":"req-1","method":"tools/list","params":{}}'],
  ['no params', '{"jsonrpc":"2.0","id":0,"method":"ping"}'],
  ['an unknown method', '{"jsonrpc":"2.0","id":-3,"method":"no/such","params":{"x":1}}'],
  ['keys in another order', '{"params":{"name":"x"},"method":"tools/call","id":9007199254740991,"jsonrpc":"2.0"}'],
];

const deferred: [string, string][] = [
  // What the schema refuses:
  ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":1,"method":"ping"}'],
  ['no jsonrpc', '{"id":1,"method":"ping"}'],
  ['an id that is not an integer', '{"jsonrpc":"2.0","id":1.5,"method":"ping"}'],
  ['an id null', '{"jsonrpc":"2.0","id":null,"method":"ping"}'],
  ['an id beyond 2^53', '{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}'],
  ['a method that is not a string', '{"jsonrpc":"2.0","id":1,"method":5}'],
  ['params an array', '{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}'],
  ['params null', '{"jsonrpc":"2.0","id":1,"method":"ping","params":null}'],
  ['another top-level key', '{"jsonrpc":"2.0","id":1,"method":"ping","extra":1}'],
  ['an own __proto__', '{"jsonrpc":"2.0","id":1,"method":"ping","__proto__":{"x":1}}'],
  ['an array', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]'],
  ['a string', '"ping"'],
  ['a number', '1'],
  ['null', 'null'],
  // What the schema decides, not this check:
  ['a request with _meta', '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"progressToken":1}}}'],
  ['params with an own __proto__', '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"__proto__":{"x":1}}}'],
  ['a notification', '{"jsonrpc":"2.0","method":"notifications/initialized"}'],
  ['a result', '{"jsonrpc":"2.0","id":1,"result":{}}'],
  ['an error', '{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"m"}}'],
];

describe('the plain-request check in front of the stdio parse', () => {
  for (const [name, line] of accepted)
    test(`passes ${name}, which the SDK's schema accepts and copies unchanged`, () => {
      const message = JSON.parse(line);
      assert.equal(isPlainRequest(message), true);
      const parsed = schema.safeParse(JSON.parse(line));
      assert.equal(parsed.success, true);
      assert.deepStrictEqual(parsed.data, message);
      // The SDK's Protocol tells a request apart with the request schema: it accepts it too.
      assert.equal(requestSchema.safeParse(JSON.parse(line)).success, true);
    });

  for (const [name, line] of deferred)
    test(`leaves ${name} to the SDK's schema`, () => assert.equal(isPlainRequest(JSON.parse(line)), false));

  test('leaves objects JSON.parse does not make to the schema', () => {
    const base = { jsonrpc: '2.0', id: 1, method: 'ping' };
    assert.equal(isPlainRequest(Object.assign(Object.create(null), base)), false);
    assert.equal(isPlainRequest({ ...base, params: new Map() }), false);
    assert.equal(isPlainRequest({ ...base, params: undefined }), false);
  });

  test('refuses nothing by itself: every line the schema refuses is still refused by it', () => {
    for (const [name, line] of deferred.slice(0, 14))
      assert.equal(schema.safeParse(JSON.parse(line)).success, false, name);
  });
});

// tools/call requests as they arrive, each with what the SDK's tools/call wrapper must
// get for it: the CallToolRequest schema's value, without the schema.
const toolCalls: [string, string][] = [
  ['a name and arguments', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":1}}}'],
  ['a name only', '{"jsonrpc":"2.0","id":"k","method":"tools/call","params":{"name":"get_cross_margin_account"}}'],
  ['empty arguments', '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"arguments":{},"name":""}}'],
  [
    'nested arguments',
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,{"b":null}],"c":"d"}}}',
  ],
];

const toolCallsDeferred: [string, string][] = [
  // What the schema refuses:
  ['a name that is not a string', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":42}}'],
  ['no name', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{}}}'],
  ['no params', '{"jsonrpc":"2.0","id":1,"method":"tools/call"}'],
  ['arguments an array', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":[1]}}'],
  ['arguments null', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":null}}'],
  ['arguments a string', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":"a"}}'],
  // What the schema decides, not this check:
  [
    'arguments with an own __proto__',
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"__proto__":{"a":1}}}}',
  ],
  ['a task', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","task":{"ttl":1}}}'],
  ['another key in params', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","extra":1}}'],
  ['_meta', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":1}}}'],
  ['another method', '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"name":"x"}}'],
  ['a notification', '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}'],
];

describe("the plain tools/call check in front of the SDK's tools/call wrapper", () => {
  for (const [name, line] of toolCalls)
    test(`gives ${name} the value the CallToolRequest schema gives, as a copy`, () => {
      const request = JSON.parse(line);
      const fast = plainToolCall(request);
      assert.ok(fast?.ok);
      const parsed = toolCallSchema.safeParse(JSON.parse(line));
      assert.equal(parsed.success, true);
      assert.deepStrictEqual(fast.value, parsed.data);
      assert.notEqual(fast.value.params, request.params, 'params are a copy, as the schema makes');
      if (request.params.arguments) assert.notEqual(fast.value.params.arguments, request.params.arguments);
    });

  for (const [name, line] of toolCallsDeferred)
    test(`leaves ${name} to the schema`, () => assert.equal(plainToolCall(JSON.parse(line)), undefined));

  test('refuses nothing by itself: every tools/call the schema refuses is still refused by it', () => {
    for (const [name, line] of toolCallsDeferred.slice(0, 6))
      assert.equal(toolCallSchema.safeParse(JSON.parse(line)).success, false, name);
  });
});
