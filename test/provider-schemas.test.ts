/**
 * Every tool's inputSchema, as tools/list serves it, is one that Google Gemini, OpenAI
 * (strict mode, after the standard conversion) and Anthropic accept: three checks
 * written from the providers' documentation (test/helpers/provider-schemas.ts), then
 * the frameworks' own converters where they install on Node 20: the OpenAI Agents
 * SDK's `convertSchemasToStrict`, `@google/genai`'s `mcpToTool`, and LangChain's MCP
 * adapters followed by its Gemini conversion (`convertToGeminiTools`). Issue 17.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mcpToFunctionTool, RunContext, type MCPServer } from '@openai/agents-core';
import { mcpToTool } from '@google/genai';
import { loadMcpTools } from '@langchain/mcp-adapters';
import { convertToGeminiTools } from '@langchain/google-common';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { CATALOG } from '../src/catalog/index.js';
import {
  anthropicProblems,
  geminiProblems,
  openAIStrictProblems,
  toStrict,
  type ToolDef,
} from './helpers/provider-schemas.js';
import { startServer, type TestServer } from './helpers/mcp.js';

type Json = Record<string, any>;

describe('the provider checks catch what issue 17 found', () => {
  // The shapes tools/list used to serve, each a defect one provider or framework refused.
  const tool = (properties: Json, required: string[] = []): ToolDef => ({
    name: 'old_tool',
    description: 'x',
    inputSchema: { type: 'object', properties, required },
  });
  test(
    'Gemini: a type-less enum, a type array, an anyOf of consts or of a list and a string, a const, an open ' +
      'object',
    () => {
      assert.match(geminiProblems(tool({ side: { enum: ['BUY', 'SELL'] } })).join('\n'), /side: no type/);
      assert.match(geminiProblems(tool({ price: { type: ['string', 'number'] } })).join('\n'), /price: type array/);
      assert.match(
        geminiProblems(
          tool({
            maxLeverage: {
              anyOf: [
                { type: 'number', const: 3 },
                { type: 'number', const: 5 },
              ],
            },
          }),
        ).join('\n'),
        /maxLeverage: anyOf of non-objects/,
      );
      assert.match(
        geminiProblems(
          tool({ symbols: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] } }),
        ).join('\n'),
        /symbols: anyOf of non-objects/,
      );
      assert.match(
        geminiProblems(tool({ n: { type: 'integer', enum: [3, 5] } })).join('\n'),
        /n: enum on a non-string/,
      );
      assert.match(
        geminiProblems(tool({ c: { type: 'string', const: 'A' } })).join('\n'),
        /"const" is not a Schema field/,
      );
      assert.match(
        geminiProblems({ ...tool({}), inputSchema: { type: 'object', properties: {}, additionalProperties: {} } }).join(
          '\n',
        ),
        /"additionalProperties" is not a Schema field/,
      );
      assert.deepEqual(
        geminiProblems(tool({ side: { type: 'string', enum: ['BUY', 'SELL'] }, price: { type: 'string' } }, ['side'])),
        [],
      );
    },
  );
  test(
    'OpenAI strict: an unconverted optional property, an open object, string lengths; the conversion makes ' +
      'optional nullable',
    () => {
      const t = tool({ symbol: { type: 'string' }, account: { type: 'string', minLength: 1 } }, ['symbol']);
      const raw = openAIStrictProblems(t).join('\n');
      assert.match(raw, /additionalProperties must be false/);
      assert.match(raw, /account: not in required/);
      const converted = toStrict(t.inputSchema) as Json;
      assert.deepEqual(converted.required, ['symbol', 'account']);
      assert.deepEqual(converted.properties.account.type, ['string', 'null']);
      assert.match(
        openAIStrictProblems({ ...t, inputSchema: converted }).join('\n'),
        /account: "minLength" is not supported/,
      );
      assert.deepEqual(
        openAIStrictProblems({
          ...t,
          inputSchema: toStrict(tool({ a: { type: 'string', enum: ['X'] } }).inputSchema) as Json,
        }),
        [],
      );
    },
  );
  test(
    'Anthropic: the input schema is an object without a top-level union, valid JSON Schema, and the ' + 'name fits',
    () => {
      assert.match(
        anthropicProblems({ name: 'bad name', description: 'x', inputSchema: { type: 'object' } }).join('\n'),
        /name/,
      );
      assert.match(
        anthropicProblems({ name: 'a', description: 'x', inputSchema: { anyOf: [{ type: 'object' }] } }).join('\n'),
        /must be "object"[\s\S]*anyOf at the top level/,
      );
      assert.match(
        anthropicProblems({
          name: 'a',
          description: 'x',
          inputSchema: { type: 'object', properties: { p: { type: 'strng' } } },
        }).join('\n'),
        /not valid JSON Schema/,
      );
      assert.match(
        anthropicProblems({
          name: 'a',
          description: 'x',
          inputSchema: { type: 'object', properties: {}, required: ['p'] },
        }).join('\n'),
        /required "p" is no property/,
      );
    },
  );
});

describe('every tool the server lists passes every provider', () => {
  let server: TestServer;
  let tools: Tool[];
  before(async () => {
    server = await startServer({ args: ['--sandbox'] });
    tools = (await server.client.listTools()).tools;
  });
  after(() => server.close());

  const check = (problems: (t: ToolDef) => string[], convert: (s: Json) => Json = (s) => s) => {
    // Every tool the server can list: the endpoint tools and the account, gate and status tools.
    for (const e of CATALOG)
      assert.ok(
        tools.some((t) => t.name === e.name),
        e.name,
      );
    assert.ok(tools.length > CATALOG.length);
    const found = tools.flatMap((t) =>
      problems({ name: t.name, description: t.description, inputSchema: convert(t.inputSchema as Json) }),
    );
    assert.deepEqual(found, [], `${found.length} problems:\n${found.join('\n')}`);
  };

  test("Gemini's function-declaration subset of OpenAPI 3.0", () => check(geminiProblems));
  test('OpenAI strict mode after the standard conversion', () =>
    check(openAIStrictProblems, (s) => toStrict(s) as Json));
  test("Anthropic's input_schema", () => check(anthropicProblems));

  test(
    'the advertised shapes of issue 17: enums typed, decimals and ids strings, lists arrays of strings, ' +
      'maxLeverage an integer',
    () => {
      const props = (name: string) => (tools.find((t) => t.name === name)!.inputSchema as Json).properties as Json;
      assert.deepEqual(props('place_order').side, { type: 'string', enum: ['BUY', 'SELL'] });
      assert.equal(props('place_order').quantity.type, 'string');
      assert.equal(props('get_order').origClientOrderId.type, 'string');
      for (const [tool, p] of [
        ['get_isolated_account', 'symbols'],
        ['get_next_hourly_interest_rate', 'assets'],
        ['exchange_small_liabilities', 'assetNames'],
        ['create_special_key', 'ip'],
        ['set_special_key_ips', 'ip'],
      ])
        assert.deepEqual(
          { type: props(tool)[p].type, items: props(tool)[p].items },
          { type: 'array', items: { type: 'string' } },
          `${tool}.${p}`,
        );
      assert.equal(props('set_max_leverage').maxLeverage.type, 'integer');
      assert.match(props('set_max_leverage').maxLeverage.description, /3 or 5/);
      let enums = 0;
      for (const t of tools)
        for (const p of Object.values(((t.inputSchema as Json).properties ?? {}) as Json))
          if ('enum' in p) {
            enums++;
            assert.equal(p.type, 'string', t.name);
          }
      assert.ok(enums >= 57, `${enums} enum properties`);
    },
  );
});

describe("the frameworks' own converters", () => {
  let server: TestServer;
  let tools: Tool[];
  before(async () => {
    server = await startServer({ args: ['--sandbox'] });
    tools = (await server.client.listTools()).tools;
  });
  after(() => server.close());

  /** An Agents SDK MCP server that forwards to the real one and records whether each call's arguments were refused. */
  function agentsServer() {
    const calls: { name: string; args: Json; refused: string | false }[] = [];
    const s = {
      name: 'binance',
      cacheToolsList: false,
      async connect() {},
      async close() {},
      async listTools() {
        return tools;
      },
      async callTool(name: string, args: Json | null) {
        const r = await server.client.callTool({ name, arguments: args ?? {} });
        // Refused as arguments (a validation error), or answered: the exchange may still say no.
        const text = (r.content as { text?: string }[])[0]?.text ?? '';
        const kind = (r.structuredContent as { error?: { kind?: string } } | undefined)?.error?.kind;
        const refused = r.isError === true && (kind === 'validation' || /validation/i.test(text)) ? text : false;
        calls.push({ name, args: args ?? {}, refused });
        return r.content;
      },
      async invalidateToolsCache() {},
    };
    return { server: s as unknown as MCPServer, calls };
  }

  test(
    'OpenAI Agents SDK: convertSchemasToStrict keeps every tool strict, and calls a strict model makes through ' +
      'it are accepted',
    async () => {
      const { server: agents, calls } = agentsServer();
      const converted = tools.map(
        (t) =>
          mcpToFunctionTool(t as never, agents, true) as unknown as {
            name: string;
            strict: boolean;
            parameters: Json;
            invoke: (ctx: RunContext, input: string) => Promise<unknown>;
          },
      );
      const notStrict = converted.filter((t) => !t.strict).map((t) => t.name);
      assert.deepEqual(
        notStrict,
        [],
        'fell back to non-strict (a tool without parameters needs additionalProperties: false)',
      );
      const found = converted.flatMap((t) => openAIStrictProblems({ name: t.name, inputSchema: t.parameters }));
      assert.deepEqual(found, [], found.join('\n'));
      // A strict model fills every property: null for each optional one.
      const withNulls = (name: string, given: Json) => {
        const t = converted.find((c) => c.name === name)!;
        const args: Json = {};
        for (const k of t.parameters.required as string[]) args[k] = k in given ? given[k] : null;
        return t.invoke(new RunContext(), JSON.stringify(args));
      };
      await withNulls('get_open_orders', {});
      await withNulls('place_order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' });
      await withNulls('get_max_borrowable', { asset: 'USDT' });
      assert.deepEqual(
        calls.map((c) => [c.name, c.refused]),
        [
          ['get_open_orders', false],
          ['place_order', false],
          ['get_max_borrowable', false],
        ],
      );
      // This Agents SDK strips the nulls it introduced; a client that converts the same way
      // and does not is covered in test/tool-input.test.ts.
    },
  );

  test("@google/genai: mcpToTool's function declarations pass the Gemini check", async () => {
    const declarations = (await mcpToTool(server.client as never).tool()).functionDeclarations ?? [];
    assert.equal(declarations.length, tools.length);
    const found = declarations.flatMap((d) =>
      geminiProblems({
        name: d.name!,
        description: d.description,
        inputSchema: (d.parametersJsonSchema ?? d.parameters) as Json,
      }),
    );
    assert.deepEqual(found, [], found.join('\n'));
  });

  test(
    "LangChain: loadMcpTools, then LangChain's Gemini conversion, keeps every property's type " + 'and enum',
    async () => {
      const lc = await loadMcpTools('binance', server.client as never, { throwOnLoadError: true });
      assert.equal(lc.length, tools.length);
      const [gemini] = convertToGeminiTools(lc as never) as {
        functionDeclarations: { name: string; description: string; parameters: Json }[];
      }[];
      assert.equal(gemini.functionDeclarations.length, tools.length);
      const found = gemini.functionDeclarations.flatMap((d) =>
        geminiProblems({ name: d.name, description: d.description, inputSchema: d.parameters }),
      );
      assert.deepEqual(found, [], found.join('\n'));
      // Nothing reaches the model as a bare description: each property keeps the type (and enum) we list.
      for (const d of gemini.functionDeclarations) {
        const ours = (tools.find((t) => t.name === d.name)!.inputSchema as Json).properties as Json;
        for (const [name, p] of Object.entries(ours)) {
          const theirs = d.parameters.properties?.[name];
          assert.equal(theirs?.type, p.type, `${d.name}.${name} type`);
          if (p.enum) assert.deepEqual(theirs.enum, p.enum, `${d.name}.${name} enum`);
          if (p.items) assert.deepEqual(theirs.items, p.items, `${d.name}.${name} items`);
        }
      }
    },
  );
});
