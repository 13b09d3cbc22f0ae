/**
 * The check the bundle puts in front of the SDK's parse of every stdio line
 * (src/sdk-plain-request.ts, issue 23): it passes only requests the SDK's JSON-RPC
 * message schema accepts and copies unchanged, and it does pass the requests a client
 * sends for tool calls (or the 10–26 µs a call it saves would be back).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { specTypeSchemas } from '@modelcontextprotocol/server';
import { isPlainRequest } from '../src/sdk-plain-request.js';

const schema = specTypeSchemas.JSONRPCMessage as unknown as {
  safeParse(v: unknown): { success: boolean; data?: unknown };
};

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
