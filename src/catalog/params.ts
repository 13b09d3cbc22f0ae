/**
 * The parameter vocabulary of the catalog: one zod builder per kind of Binance
 * parameter. Each builder validates what the agent sends and outputs the exact wire
 * value (decimals as plain strings, lists joined with commas), so that what the gate
 * freezes and what the client signs are the same thing. Descriptions stay short:
 * the JSON Schema already carries types, enums and bounds.
 *
 * What a builder advertises (its input JSON Schema) is one plain type that every
 * model provider accepts (Gemini's OpenAPI subset, OpenAI strict mode, Anthropic);
 * what it accepts is wider, through a `z.preprocess` step the JSON Schema does not
 * show: a decimal is advertised as a string and also taken as a JSON number, a list
 * as an array of strings and also taken as "A,B", an identifier as a string and also
 * taken as a whole JSON number (the Inspector CLI sends `--tool-arg id=12345` as one).
 */
import { z } from 'zod';
import { CONTROL_CHARACTERS } from '../text.js';
import { isPositiveDecimal, toPlainDecimal } from '../binance/decimal.js';

const SYMBOL = /^[A-Z0-9]{2,20}$/;
const ASSET = /^[A-Z0-9]{1,20}$/;

const described = <T extends z.ZodType>(schema: T, description?: string): T =>
  description ? schema.describe(description) : schema;

/** A trading pair such as BTCUSDT; lower case is accepted and upper-cased. */
export const symbol = (description?: string) =>
  described(
    z
      .string()
      .transform((s) => s.trim().toUpperCase())
      .pipe(z.string().regex(SYMBOL, 'must be a pair like BTCUSDT (letters and digits)')),
    description,
  );

/** An asset such as USDT; lower case is accepted and upper-cased. */
export const asset = (description?: string) =>
  described(
    z
      .string()
      .transform((s) => s.trim().toUpperCase())
      .pipe(z.string().regex(ASSET, 'must be an asset like USDT (letters and digits)')),
    description,
  );

/**
 * A positive decimal, advertised as a string ("0.01") and also taken as a JSON number
 * (0.01). The output is a plain decimal string: 1e-8 becomes "0.00000001", never
 * exponent notation.
 */
export const decimal = (description?: string) => {
  const asText = (v: unknown) => (typeof v === 'number' ? (toPlainDecimal(v) ?? String(v)) : v);
  const schema = z.preprocess(asText, z.string()).transform((value, ctx) => {
    const plain = toPlainDecimal(value);
    if (plain === null) {
      ctx.addIssue({ code: 'custom', message: 'must be a decimal number such as "0.01"' });
      return z.NEVER;
    }
    if (!isPositiveDecimal(plain)) {
      ctx.addIssue({ code: 'custom', message: 'must be greater than 0' });
      return z.NEVER;
    }
    return plain;
  });
  return description ? schema.describe(description) : schema;
};

export const int = (opts: { min?: number; max?: number; description?: string } = {}) => {
  const min = opts.min ?? 0;
  let schema = z.number().int();
  // A lower bound of 0 goes unsaid in the schema (ids and times are never negative) but is still checked.
  schema =
    min === 0 ? (schema.refine((v) => v >= 0, 'must not be negative') as unknown as z.ZodNumber) : schema.min(min);
  if (opts.max !== undefined) schema = schema.max(opts.max);
  return opts.description ? schema.describe(opts.description) : schema;
};

/** Milliseconds since the epoch. */
export const time = () => int();

export const recvWindow = () =>
  z
    .number()
    .int()
    .max(60_000)
    .refine((v) => v >= 1, 'must be at least 1');

export const oneOf = <T extends readonly [string, ...string[]]>(values: T, description?: string) => {
  const schema = z.enum(values);
  return description ? schema.describe(description) : schema;
};

/** Binance's isolated-margin switch, "TRUE" or "FALSE" as Binance spells it. */
/** Explained once in the server instructions rather than in 18 schemas. */
export const isIsolated = () => z.enum(['TRUE', 'FALSE']);

/** A boolean sent as Binance expects: "TRUE"/"FALSE" (upper) or "true"/"false". */
export const bool = (upper: boolean, description?: string) => {
  const schema = z.boolean().transform((b) => (upper ? (b ? 'TRUE' : 'FALSE') : b ? 'true' : 'false'));
  return description ? schema.describe(description) : schema;
};

/** A list advertised as an array of strings, also taken as "A,B"; sent as "A,B". */
export const list = (item: z.ZodString, maxItems: number | undefined, description: string) =>
  z
    .preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(z.string()))
    .transform((value, ctx) => {
      const items = value.map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'must name at least one item' });
        return z.NEVER;
      }
      if (maxItems !== undefined && items.length > maxItems) {
        ctx.addIssue({ code: 'custom', message: `at most ${maxItems} items` });
        return z.NEVER;
      }
      for (const i of items) {
        const r = item.safeParse(i);
        if (!r.success) {
          ctx.addIssue({ code: 'custom', message: `"${i}" ${r.error.issues[0]?.message ?? 'is invalid'}` });
          return z.NEVER;
        }
      }
      return items.join(',');
    })
    .describe(description);

export const upperList = (pattern: RegExp, maxItems: number | undefined, description: string) =>
  list(z.string().regex(pattern, 'must be upper-case letters and digits'), maxItems, description);

export const symbolList = (maxItems: number | undefined, description: string) =>
  upperList(SYMBOL, maxItems, description);
export const assetList = (maxItems: number | undefined, description: string) => upperList(ASSET, maxItems, description);

/**
 * A string identifier that also takes a whole JSON number and sends its decimal digits:
 * 12345 becomes "12345". A number that JavaScript cannot hold exactly (beyond 2^53) or
 * that is not a whole non-negative number is refused rather than sent altered.
 */
export const identifier = <T extends z.ZodType<string, string>>(schema: T) =>
  z.preprocess((v, ctx) => {
    if (typeof v !== 'number') return v;
    if (Number.isSafeInteger(v) && v >= 0) return String(v);
    ctx.addIssue({
      code: 'custom',
      message: 'as a number it must be a whole number below 2^53 (send it as a string)',
      input: v,
    });
    return z.NEVER;
  }, schema);

/** A client order id as Binance allows it; the `agent-` prefix of docs/contract.md §7 is applied later. */
export const clientId = (description?: string) => {
  const schema = identifier(
    z.string().regex(/^[.A-Z:/a-z0-9_-]{1,36}$/, 'may hold only letters, digits and . : / _ - (1-36 chars)'),
  );
  return description ? schema.describe(description) : schema;
};

/**
 * A free-text parameter (names, listen keys): one line, since it may be quoted in a
 * summary; a whole JSON number is taken as its digits.
 */
export const text = (max: number, description?: string) => {
  const schema = identifier(
    z
      .string()
      .min(1)
      .max(max)
      .refine((v) => !CONTROL_CHARACTERS.test(v), 'must not contain control characters (newline, …)'),
  );
  return description ? schema.describe(description) : schema;
};

export const SIDES = ['BUY', 'SELL'] as const;
export const ORDER_TYPES = [
  'LIMIT',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
  'LIMIT_MAKER',
] as const;
export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK'] as const;
export const SIDE_EFFECTS = ['NO_SIDE_EFFECT', 'MARGIN_BUY', 'AUTO_REPAY', 'AUTO_BORROW_REPAY'] as const;
export const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
export const STP_MODES = ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'NONE'] as const;
export const SIDE_EFFECT_DESC =
  'MARGIN_BUY borrows as needed; AUTO_REPAY repays debt from proceeds; AUTO_BORROW_REPAY both';

/**
 * An integer from a fixed set (e.g. maxLeverage 3 or 5). Advertised as an
 * integer: Gemini allows `enum` on strings only and no `const`, so the set is checked
 * here and named in the description.
 */
export const oneOfNumber = (values: number[], description?: string) => {
  const schema = z
    .number()
    .int()
    .refine((v) => values.includes(v), `must be one of ${values.join(', ')}`);
  // The set is said in the description, since the schema cannot carry it for every provider.
  return schema.describe(description ?? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`);
};

/**
 * A tool's input: a strict object of these parameters (an unknown key is refused, never
 * dropped) in which `null` for an optional parameter means absent (docs/contract.md §4).
 * OpenAI's strict mode makes every optional property required and nullable, and
 * clients that convert schemas that way (the Agents SDK's `convertSchemasToStrict`)
 * send `null` for what the model leaves out. Null for a required parameter is still
 * refused. The JSON Schema is the object's: the null step does not show in it.
 * Every tool, endpoint or not, should build its input with this.
 */
export function toolInput<S extends z.ZodRawShape>(shape: S) {
  let optional: Set<string> | undefined;
  return z.preprocess((args) => {
    if (!args || typeof args !== 'object' || Array.isArray(args)) return args;
    optional ??= new Set(Object.keys(shape).filter((k) => (shape[k] as z.ZodType).safeParse(undefined).success));
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(args)) {
      if (v !== null || !optional.has(k)) continue;
      out ??= { ...(args as Record<string, unknown>) };
      delete out[k];
    }
    return out ?? args;
  }, z.strictObject(shape));
}

/** A trailing stop's distance in basis points (100 = 1 %); each pair's TRAILING_DELTA filter bounds it further. */
export const trailingDelta = (description?: string) => int({ min: 1, description });

/** The side effects OTO and OTOCO take: Binance documents no AUTO_REPAY there. */
export const LIST_SIDE_EFFECTS = ['NO_SIDE_EFFECT', 'MARGIN_BUY'] as const;
