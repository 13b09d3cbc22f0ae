/**
 * One error type for every refusal or failure a tool can report. `kind` is the
 * contract of docs/contract.md §4; the envelope turns a ToolError into
 * `structuredContent.error`.
 */
export type ErrorKind =
  | 'validation'
  | 'binance'
  | 'network'
  | 'rate_limit'
  | 'confirmation'
  | 'config'
  | 'policy'
  | 'unknown_outcome';

export interface ToolErrorFields {
  /** The parameter a validation error is about (a leg of an order list: its path, e.g. `orders[1].price`). */
  path?: string;
  code?: number;
  httpStatus?: number;
  hint?: string;
  retryAfterSeconds?: number;
  clientOrderId?: string;
}

export class ToolError extends Error {
  readonly kind: ErrorKind;
  readonly fields: ToolErrorFields;
  constructor(kind: ErrorKind, message: string, fields: ToolErrorFields = {}) {
    super(message);
    this.name = 'ToolError';
    this.kind = kind;
    this.fields = fields;
  }
  get code(): number | undefined {
    return this.fields.code;
  }
  toJSON(): Record<string, unknown> {
    return { kind: this.kind, message: this.message, ...this.fields };
  }
}

export const validationError = (message: string, hint?: string) =>
  new ToolError('validation', message, hint ? { hint } : {});
export const configError = (message: string, hint?: string) => new ToolError('config', message, hint ? { hint } : {});
export const policyError = (message: string, hint?: string) => new ToolError('policy', message, hint ? { hint } : {});
export const confirmationError = (message: string, hint?: string) =>
  new ToolError('confirmation', message, hint ? { hint } : {});
