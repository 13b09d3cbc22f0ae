/**
 * The JSON Schema a tool advertises, shaped once for every tool (endpoint tools and
 * the account, gate and status tools alike): compact, and inside what every model
 * provider accepts.
 *
 * - Compact: no per-tool `$schema` URI, no safe-integer bounds, no
 *   `additionalProperties: false` beside declared properties (the server refuses
 *   unknown keys anyway, strict-mode conversions add it back, and Gemini's function
 *   declarations have no such field), no string lengths (OpenAI's strict mode refuses
 *   them; the server still checks them and names the rule).
 * - Provider-safe, whatever produced the schema: one `type` per property (Gemini's
 *   OpenAPI 3.0 subset has no type arrays), `type` beside every `enum` (mcp-use and
 *   Gemini drop a type-less enum), `enum` only on strings, no `const`, no `anyOf` of
 *   non-objects (LangChain drops it). The parameter builders (catalog/params.ts)
 *   already emit schemas of that shape; the rewrites below keep a schema written some
 *   other way inside it, and test/provider-schemas.test.ts checks every tool.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** A JSON Schema type for a JSON value: what a `const` or `enum` member is. */
function typeOf(v: unknown): string | undefined {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return undefined;
}

/**
 * `anyOf` branches that carry nothing but a scalar type (and perhaps a `const`) fold into
 * one type: string and number into string (numbers are still accepted; a string holds a
 * decimal exactly), a list and its comma-separated string into the list, constants into
 * an enum of their type (a non-string set is named in the description instead).
 */
function foldAnyOf(s: Json): void {
  const branches = s.anyOf as Json[];
  if (!Array.isArray(branches) || branches.length === 0 || !branches.every(isObject)) return;
  const types = branches.map((b) => ('const' in b ? typeOf(b.const) : typeof b.type === 'string' ? b.type : undefined));
  if (types.some((t) => t === undefined || t === 'object' || t === 'null')) return;
  const bare = (b: Json) => Object.keys(b).every((k) => k === 'type' || k === 'const' || k === 'description');
  const array = branches.find((b) => b.type === 'array');
  if (array) {
    // An array of strings, or a comma-separated string of the same.
    if (branches.length !== 2 || !branches.some((b) => b.type === 'string' && bare(b))) return;
    delete s.anyOf;
    Object.assign(s, { ...array, ...s });
    return;
  }
  if (!branches.every(bare)) return;
  const consts = branches.every((b) => 'const' in b) ? branches.map((b) => b.const) : undefined;
  delete s.anyOf;
  // Constants become an enum; compactSchema turns a non-string one into its type and a description.
  if (consts) s.enum = consts;
  if (types.includes('string')) {
    s.type = 'string';
  } else if (types.every((t) => t === 'integer')) {
    s.type = 'integer';
  } else if (types.every((t) => t === 'integer' || t === 'number')) {
    s.type = 'number';
  } else {
    s.type = types[0];
  }
}

/** Compacts one JSON Schema and keeps it inside what every provider accepts (see above). */
export function compactSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compactSchema);
  if (!isObject(schema)) return schema;
  const s: Json = { ...schema };
  delete s.$schema;
  // zod writes JavaScript's safe-integer bounds on every integer; they say nothing to an agent.
  if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
  if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
  // Strict conversions close every object themselves. An object without properties keeps
  // it: without it the OpenAI Agents SDK takes `{}` as free-form and drops strict mode.
  if (s.additionalProperties === false && isObject(s.properties) && Object.keys(s.properties).length > 0)
    delete s.additionalProperties;
  // OpenAI's strict mode takes only `pattern` and `format` on strings; lengths are still checked.
  delete s.minLength;
  delete s.maxLength;
  if (Array.isArray(s.type)) {
    // A type array: string wins (it can carry every scalar exactly), else the first non-null type.
    const types = s.type.filter((t) => t !== 'null') as string[];
    s.type = types.includes('string') ? 'string' : types.includes('number') ? 'number' : types[0];
  }
  if ('anyOf' in s) foldAnyOf(s);
  if ('const' in s) {
    s.type ??= typeOf(s.const);
    if (typeof s.const === 'string') s.enum = [s.const];
    delete s.const;
  }
  if (Array.isArray(s.enum)) {
    if (s.enum.every((v) => typeof v === 'string')) s.type = 'string';
    else {
      // Gemini takes `enum` on strings only: a non-string set is named in the description.
      s.type ??= typeOf(s.enum[0]);
      s.description = `${s.description ? `${s.description as string}. ` : ''}One of ${s.enum.join(', ')}`;
      delete s.enum;
    }
  }
  for (const [k, v] of Object.entries(s))
    if (v && typeof v === 'object') s[k] = k === 'properties' ? compactProperties(v as Json) : compactSchema(v);
  return s;
}

function compactProperties(properties: Json): Json {
  const out: Json = {};
  for (const [name, p] of Object.entries(properties)) out[name] = compactSchema(p);
  return out;
}
