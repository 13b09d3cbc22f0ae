/**
 * What the bundle gives the SDK for `@modelcontextprotocol/server/_shims` (the
 * runtime-specific defaults it imports through that subpath; see scripts/build.mjs):
 * Node's process, and form-answer validation without AJV (form-validator.ts).
 */
export { default as process } from 'node:process';
export { FormAnswerValidator as DefaultJsonSchemaValidator } from './form-validator.js';
