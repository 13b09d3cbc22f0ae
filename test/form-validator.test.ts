/** The elicitation answer validator the server uses instead of AJV. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FormAnswerValidator } from '../src/form-validator.js';

test('form answers: required fields, primitive types, enums, lengths and ranges', () => {
  const v = new FormAnswerValidator().getValidator<{ confirmation: string }>({
    type: 'object',
    properties: {
      confirmation: { type: 'string', maxLength: 10 },
      n: { type: 'integer', minimum: 1, maximum: 3 },
      side: { type: 'string', enum: ['BUY', 'SELL'] },
      ok: { type: 'boolean' },
    },
    required: ['confirmation'],
  });
  assert.deepEqual(v({ confirmation: 'CONFIRM', n: 2, side: 'BUY', ok: true }), {
    valid: true,
    data: { confirmation: 'CONFIRM', n: 2, side: 'BUY', ok: true },
    errorMessage: undefined,
  });
  for (const bad of [
    null,
    'CONFIRM',
    [],
    {},
    { confirmation: 5 },
    { confirmation: 'x'.repeat(11) },
    { confirmation: 'C', n: 1.5 },
    { confirmation: 'C', n: 4 },
    { confirmation: 'C', side: 'HOLD' },
    { confirmation: 'C', ok: 'yes' },
  ]) {
    const r = v(bad);
    assert.equal(r.valid, false, JSON.stringify(bad));
    assert.equal(typeof r.errorMessage, 'string');
  }
});
