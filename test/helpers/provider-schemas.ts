/**
 * What three model providers accept as a tool's parameters, written down from their
 * documentation as small pure checks. Each returns the problems it finds, as
 * "tool: path: what" lines, so a failing test names every property at fault.
 *
 * - Gemini: a function declaration's `parameters` is a Schema, "a select subset of an
 *   OpenAPI 3.0 schema object" (Gemini API reference, `Schema`:
 *   https://ai.google.dev/api/caching#Schema; Vertex AI `Schema`:
 *   https://cloud.google.com/vertex-ai/docs/reference/rest/v1/Schema). Its fields are
 *   the list GEMINI_FIELDS below; `type` is one enum value (no type arrays), `enum` is
 *   `string[]`, there is no `const` and no `additionalProperties`: `false` alone is let
 *   through, as every Gemini client strips it (@google/genai's processJsonSchema,
 *   LangChain's removeAdditionalProperties) and issue 17 saw it pass. Function names start
 *   with a letter or underscore: a-z, A-Z, 0-9, `_`, `.`, `-`, at most 64; parameter
 *   names letters, digits and underscores (FunctionDeclaration reference).
 * - OpenAI strict mode (Structured Outputs guide, "Supported schemas":
 *   https://platform.openai.com/docs/guides/structured-outputs#supported-schemas, and
 *   function calling's `strict: true`): the root is an object, not `anyOf`; every object
 *   has `additionalProperties: false` and lists every property in `required` (optional
 *   means nullable); types string, number, boolean, integer, object, array, null, enum,
 *   anyOf; string keywords `pattern` and `format` only, number keywords `multipleOf`,
 *   `maximum`, `exclusiveMaximum`, `minimum`, `exclusiveMinimum`, array keywords
 *   `minItems`, `maxItems`; at most 5000 properties and 10 levels of nesting, at most
 *   1000 enum values. `toStrict` is the standard conversion clients apply first (as the
 *   OpenAI Agents SDK's `convertSchemasToStrict` does): every property required, the
 *   optional ones made nullable, `additionalProperties: false` on every object.
 * - Anthropic (Messages API, tool definitions:
 *   https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use):
 *   `name` matches ^[a-zA-Z0-9_-]{1,64}$, `input_schema` is a JSON Schema whose `type`
 *   is "object" (no `oneOf`/`anyOf`/`allOf` at its top), with `properties` and
 *   `required` naming only those properties; the schema must be valid JSON Schema
 *   (draft 2020-12), which `validJsonSchema` checks with ajv in strict mode.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';

type Json = Record<string, unknown>;
export interface ToolDef {
  name: string;
  description?: string;
  inputSchema: Json;
}

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** Calls `visit` on every schema node below `schema`, with its path (properties, items, anyOf). */
function walk(schema: unknown, path: string, visit: (s: Json, path: string, depth: number) => void, depth = 0): void {
  if (!isObject(schema)) return;
  visit(schema, path, depth);
  if (isObject(schema.properties))
    for (const [k, v] of Object.entries(schema.properties)) walk(v, `${path}.${k}`, visit, depth + 1);
  if (schema.items !== undefined) walk(schema.items, `${path}[]`, visit, depth + 1);
  if (Array.isArray(schema.anyOf))
    for (const [i, b] of schema.anyOf.entries()) walk(b, `${path}|${i}`, visit, depth + 1);
}

// ---------------------------------------------------------------- Gemini

const GEMINI_FIELDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);
const GEMINI_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

export function geminiProblems(tool: ToolDef): string[] {
  const out: string[] = [];
  const say = (path: string, what: string) => out.push(`${tool.name}: ${path}: ${what}`);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(tool.name)) say('name', 'not a Gemini function name');
  walk(tool.inputSchema, '$', (s, path) => {
    for (const k of Object.keys(s))
      if (!GEMINI_FIELDS.has(k) && !(k === 'additionalProperties' && s[k] === false))
        say(path, `"${k}" is not a Schema field`);
    if (Array.isArray(s.anyOf)) {
      // Gemini lets anyOf through, but LangChain's Gemini converter refuses or drops any
      // anyOf that is not a nullable pair, and a scalar union reaches the model as nothing.
      if (s.anyOf.some((b) => !isObject(b) || b.type !== 'object')) say(path, 'anyOf of non-objects');
    } else if (typeof s.type !== 'string') say(path, Array.isArray(s.type) ? 'type array' : 'no type');
    else if (!GEMINI_TYPES.has(s.type.toLowerCase())) say(path, `type "${s.type}"`);
    if ('enum' in s && (s.type !== 'string' || !Array.isArray(s.enum) || !s.enum.every((v) => typeof v === 'string')))
      say(path, 'enum on a non-string');
    if (s.type === 'array' && !isObject(s.items)) say(path, 'array without items');
    if (isObject(s.properties)) {
      for (const k of Object.keys(s.properties))
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k)) say(`${path}.${k}`, 'not a Gemini parameter name');
      for (const r of (s.required as string[] | undefined) ?? [])
        if (!(r in s.properties)) say(path, `required "${r}" is no property`);
    }
  });
  if (tool.inputSchema.type !== 'object') say('$', 'parameters are not an object');
  return out;
}

// ---------------------------------------------------------------- OpenAI strict mode

const OPENAI_COMMON = ['type', 'description', 'title', 'enum', 'const', 'anyOf', '$ref', '$defs', 'default'];
const OPENAI_BY_TYPE: Record<string, string[]> = {
  string: ['pattern', 'format'],
  number: ['multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum'],
  integer: ['multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum'],
  boolean: [],
  null: [],
  object: ['properties', 'required', 'additionalProperties'],
  array: ['items', 'minItems', 'maxItems'],
};
const OPENAI_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);

/** The standard strict conversion: every property required, optional ones nullable, closed objects. */
export function toStrict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toStrict);
  if (!isObject(schema)) return schema;
  const s: Json = {};
  for (const [k, v] of Object.entries(schema)) s[k] = k === 'properties' ? v : toStrict(v);
  if (isObject(s.properties)) {
    const required = new Set((s.required as string[] | undefined) ?? []);
    const props: Json = {};
    for (const [k, v] of Object.entries(s.properties)) {
      const p = toStrict(v) as Json;
      props[k] = required.has(k) ? p : nullable(p);
    }
    s.properties = props;
    s.required = Object.keys(props);
    s.additionalProperties = false;
  }
  return s;
}

function nullable(p: Json): Json {
  if (typeof p.type === 'string' && !('enum' in p)) return { ...p, type: [p.type, 'null'] };
  if (Array.isArray(p.type)) return p.type.includes('null') ? p : { ...p, type: [...p.type, 'null'] };
  const { description, ...rest } = p;
  return { anyOf: [rest, { type: 'null' }], ...(description !== undefined ? { description } : {}) };
}

export function openAIStrictProblems(tool: ToolDef): string[] {
  const out: string[] = [];
  const say = (path: string, what: string) => out.push(`${tool.name}: ${path}: ${what}`);
  const root = tool.inputSchema;
  if (root.type !== 'object' || 'anyOf' in root) say('$', 'root must be an object, not anyOf');
  let properties = 0;
  let enumValues = 0;
  walk(root, '$', (s, path, depth) => {
    if (depth > 10) say(path, 'nested deeper than 10 levels');
    const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
    if (types.length === 0 && !('anyOf' in s) && !('$ref' in s) && !('enum' in s) && !('const' in s))
      say(path, 'no type');
    const allowed = new Set([...OPENAI_COMMON, ...types.flatMap((t) => OPENAI_BY_TYPE[t] ?? [])]);
    for (const t of types) if (!(t in OPENAI_BY_TYPE)) say(path, `type "${t}"`);
    for (const k of Object.keys(s)) if (!allowed.has(k)) say(path, `"${k}" is not supported in strict mode`);
    if (typeof s.format === 'string' && !OPENAI_FORMATS.has(s.format)) say(path, `format "${s.format}"`);
    if (Array.isArray(s.enum)) enumValues += s.enum.length;
    if (types.includes('object') || isObject(s.properties)) {
      const props = isObject(s.properties) ? Object.keys(s.properties) : [];
      properties += props.length;
      if (s.additionalProperties !== false) say(path, 'additionalProperties must be false');
      const required = new Set((s.required as string[] | undefined) ?? []);
      for (const k of props) if (!required.has(k)) say(`${path}.${k}`, 'not in required');
    }
  });
  if (properties > 5000) say('$', `${properties} properties (at most 5000)`);
  if (enumValues > 1000) say('$', `${enumValues} enum values (at most 1000)`);
  return out;
}

// ---------------------------------------------------------------- Anthropic

const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });

export function anthropicProblems(tool: ToolDef): string[] {
  const out: string[] = [];
  const say = (path: string, what: string) => out.push(`${tool.name}: ${path}: ${what}`);
  const s = tool.inputSchema;
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) say('name', 'does not match ^[a-zA-Z0-9_-]{1,64}$');
  if (typeof tool.description !== 'string' || tool.description.trim() === '') say('description', 'missing');
  if (s.type !== 'object') say('$', 'input_schema.type must be "object"');
  for (const k of ['oneOf', 'anyOf', 'allOf']) if (k in s) say('$', `${k} at the top level`);
  if (s.properties !== undefined && !isObject(s.properties)) say('$', 'properties is not an object');
  for (const r of (s.required as string[] | undefined) ?? [])
    if (!isObject(s.properties) || !(r in s.properties)) say('$', `required "${r}" is no property`);
  try {
    ajv.compile(s);
  } catch (err) {
    say('$', `not valid JSON Schema: ${(err as Error).message}`);
  }
  return out;
}
