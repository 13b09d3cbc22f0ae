/**
 * Validates what a user answered to an elicitation form: an object of primitive
 * fields, which is all a form-mode `requestedSchema` may hold (MCP restricts it to
 * flat string, number, integer, boolean and enum properties). The SDK's default
 * validator is AJV with its formats, which the server would load at every start only
 * to check one `confirmation` string; the server passes this one instead
 * (ServerOptions.jsonSchemaValidator), and the bundle uses it as the SDK's
 * `@modelcontextprotocol/server/_shims` default (scripts/build.mjs), so AJV is not
 * bundled at all.
 */
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/server';

type Field = {
  type?: string | string[];
  enum?: unknown[];
  oneOf?: { const?: unknown }[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};

export class FormAnswerValidator implements jsonSchemaValidator {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    return (input: unknown) => {
      const problem = check(schema as { properties?: Record<string, Field>; required?: string[] }, input);
      return problem === undefined
        ? { valid: true, data: input as T, errorMessage: undefined }
        : { valid: false, data: undefined, errorMessage: problem };
    };
  }
}

function check(
  schema: { properties?: Record<string, Field>; required?: string[] },
  input: unknown,
): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'the answer is not an object';
  const answer = input as Record<string, unknown>;
  for (const name of schema.required ?? []) if (answer[name] === undefined) return `${name} is required`;
  for (const [name, value] of Object.entries(answer)) {
    const field = schema.properties?.[name];
    if (!field || value === undefined) continue;
    const types = field.type === undefined ? [] : Array.isArray(field.type) ? field.type : [field.type];
    const ok =
      types.length === 0 ||
      types.some((t) =>
        t === 'integer' ? Number.isInteger(value) : t === 'array' ? Array.isArray(value) : typeof value === t,
      );
    if (!ok) return `${name} must be ${types.join(' or ')}`;
    const allowed = field.enum ?? field.oneOf?.map((o) => o.const);
    if (allowed && !allowed.includes(value)) return `${name} must be one of ${allowed.join(', ')}`;
    if (
      typeof value === 'string' &&
      ((field.minLength !== undefined && value.length < field.minLength) ||
        (field.maxLength !== undefined && value.length > field.maxLength))
    )
      return `${name} has the wrong length`;
    if (
      typeof value === 'number' &&
      ((field.minimum !== undefined && value < field.minimum) || (field.maximum !== undefined && value > field.maximum))
    )
      return `${name} is out of range`;
  }
  return undefined;
}
