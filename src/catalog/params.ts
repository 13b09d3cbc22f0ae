/**
 * The parameter vocabulary of the catalog: one zod builder per kind of Binance
 * parameter. Each builder validates what the agent sends and outputs the exact wire
 * value (decimals as plain strings, lists joined with commas), so that what the gate
 * freezes and what the client signs are the same thing. Descriptions stay short:
 * the JSON Schema already carries types, enums and bounds.
 */
import { z } from 'zod';
import { isPositiveDecimal, toPlainDecimal } from '../binance/decimal.js';

const SYMBOL = /^[A-Z0-9]{2,20}$/;
const ASSET = /^[A-Z0-9]{1,20}$/;

const described = <T extends z.ZodType>(schema: T, description?: string): T => (description ? schema.describe(description) : schema);

/** A trading pair such as BTCUSDT; lower case is accepted and upper-cased. */
export const symbol = (description?: string) =>
  described(z.string().transform((s) => s.trim().toUpperCase()).pipe(z.string().regex(SYMBOL, 'must be a pair like BTCUSDT (letters and digits)')), description);

/** An asset such as USDT; lower case is accepted and upper-cased. */
export const asset = (description?: string) =>
  described(z.string().transform((s) => s.trim().toUpperCase()).pipe(z.string().regex(ASSET, 'must be an asset like USDT (letters and digits)')), description);

/**
 * A positive decimal, given as a string ("0.01") or a JSON number (0.01). The output
 * is a plain decimal string: 1e-8 becomes "0.00000001", never exponent notation.
 */
export const decimal = (description?: string) => {
  const schema = z.union([z.string(), z.number()]).transform((value, ctx) => {
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
  schema = min === 0 ? (schema.refine((v) => v >= 0, 'must not be negative') as unknown as z.ZodNumber) : schema.min(min);
  if (opts.max !== undefined) schema = schema.max(opts.max);
  return opts.description ? schema.describe(opts.description) : schema;
};

/** Milliseconds since the epoch. */
export const time = () => int();

export const recvWindow = () => z.number().int().max(60_000).refine((v) => v >= 1, 'must be at least 1');

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

/** A comma-separated list, given as an array or as "A,B"; sent as "A,B". */
export const list = (item: z.ZodString, maxItems: number | undefined, description: string) =>
  z
    .union([z.array(z.string()), z.string()])
    .transform((value, ctx) => {
      const items = (Array.isArray(value) ? value : value.split(','))
        .map((s) => s.trim())
        .filter((s) => s !== '');
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

export const symbolList = (maxItems: number | undefined, description: string) => upperList(SYMBOL, maxItems, description);
export const assetList = (maxItems: number | undefined, description: string) => upperList(ASSET, maxItems, description);

/** A client order id as Binance allows it; the `agent-` prefix of interface.md §7 is applied later. */
export const clientId = (description?: string) => {
  const schema = z.string().regex(/^[.A-Z:/a-z0-9_-]{1,36}$/, 'may hold only letters, digits and . : / _ - (1-36 chars)');
  return description ? schema.describe(description) : schema;
};

/** A free-text parameter (names, listen keys). */
export const text = (max: number, description?: string) => {
  const schema = z.string().min(1).max(max);
  return description ? schema.describe(description) : schema;
};

export const SIDES = ['BUY', 'SELL'] as const;
export const ORDER_TYPES = ['LIMIT', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT', 'LIMIT_MAKER'] as const;
export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK'] as const;
export const SIDE_EFFECTS = ['NO_SIDE_EFFECT', 'MARGIN_BUY', 'AUTO_REPAY', 'AUTO_BORROW_REPAY'] as const;
export const RESP_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
export const STP_MODES = ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'NONE'] as const;
export const SIDE_EFFECT_DESC = 'MARGIN_BUY borrows as needed; AUTO_REPAY repays debt from proceeds; AUTO_BORROW_REPAY both';

/** A number from a fixed set (e.g. maxLeverage 3, 5, 10, 20). */
export const oneOfNumber = (values: number[], description?: string) => {
  const schema = z.union(values.map((v) => z.literal(v)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>, ...z.ZodLiteral<number>[]]);
  return description ? schema.describe(description) : schema;
};

/** A trailing stop's distance in basis points (100 = 1 %); each pair's TRAILING_DELTA filter bounds it further. */
export const trailingDelta = (description?: string) => int({ min: 1, description });

/** The side effects OTO and OTOCO take: Binance documents no AUTO_REPAY there. */
export const LIST_SIDE_EFFECTS = ['NO_SIDE_EFFECT', 'MARGIN_BUY'] as const;
