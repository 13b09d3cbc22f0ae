/**
 * Reading request parameters the way Binance does: a missing mandatory one is -1102,
 * a malformed one -1100 (or -1115/-1116/-1117 for timeInForce, type and side), too
 * many decimals -1111, an unknown symbol -1121.
 */
import { parseDec, type Dec } from './decimal.js';
import { errors } from './errors.js';
import { symbolInfo } from './market.js';
import type { Scope } from './exchange.js';

export class Params {
  constructor(
    private readonly p: Record<string, string>,
    readonly accountId: string,
  ) {}

  /** Present and non-empty, else undefined. */
  opt(name: string): string | undefined {
    const v = this.p[name];
    return v === undefined || v === '' ? undefined : v;
  }

  req(name: string): string {
    const v = this.opt(name);
    if (v === undefined) throw errors.mandatory(name);
    return v;
  }

  decimal(name: string): Dec | undefined {
    const v = this.opt(name);
    if (v === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(v)) throw errors.illegalParam(name);
    const d = parseDec(v);
    if (d === undefined) throw errors.precision();
    return d;
  }

  reqDecimal(name: string): Dec {
    const d = this.decimal(name);
    if (d === undefined) throw errors.mandatory(name);
    return d;
  }

  /** `limit` as Binance reads it: default 500, clamped to 1..max. */
  limit(max: number): number {
    return Math.min(max, Math.max(1, this.int('limit') ?? 500));
  }

  int(name: string): number | undefined {
    const v = this.opt(name);
    if (v === undefined) return undefined;
    if (!/^-?\d{1,19}$/.test(v)) throw errors.illegalParam(name);
    return Number(v);
  }

  reqInt(name: string): number {
    const n = this.int(name);
    if (n === undefined) throw errors.mandatory(name);
    return n;
  }

  /** One of `values`; a bad value is -1100, or the refusal given (-1117 for a side, …). */
  oneOf<T extends string>(name: string, values: readonly T[], invalid?: () => Error): T | undefined {
    const v = this.opt(name);
    if (v === undefined) return undefined;
    if ((values as readonly string[]).includes(v)) return v as T;
    throw invalid ? invalid() : errors.illegalParam(name, `^(${values.join('|')})$`);
  }

  reqOneOf<T extends string>(name: string, values: readonly T[], invalid?: () => Error): T {
    const v = this.oneOf(name, values, invalid);
    if (v === undefined) throw errors.mandatory(name);
    return v;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.opt(name);
    if (v === undefined) return fallback;
    if (/^true$/i.test(v)) return true;
    if (/^false$/i.test(v)) return false;
    throw errors.illegalParam(name, '^(TRUE|FALSE)$');
  }

  list(name: string): string[] | undefined {
    const v = this.opt(name);
    return v === undefined
      ? undefined
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }

  /** A known symbol, else -1121. */
  symbol(name = 'symbol'): string {
    const s = this.req(name);
    if (!symbolInfo(s)) throw errors.invalidSymbol();
    return s;
  }

  optSymbol(name = 'symbol'): string | undefined {
    return this.opt(name) === undefined ? undefined : this.symbol(name);
  }

  /** isIsolated=TRUE plus symbol names an isolated pair; otherwise the cross account. */
  scope(symbol?: string): Scope {
    const isolated = this.bool('isIsolated', false);
    if (!isolated) return { accountId: this.accountId };
    const s = symbol ?? this.symbol();
    return { accountId: this.accountId, isolatedSymbol: s };
  }

  /** Endpoints that name the isolated pair `isolatedSymbol`. */
  isolatedScope(): Scope {
    const s = this.optSymbol('isolatedSymbol');
    return s ? { accountId: this.accountId, isolatedSymbol: s } : { accountId: this.accountId };
  }

  /** current / size paging as the history endpoints do it. */
  page<T>(rows: T[], defaultSize = 10, maxSize = 100): { rows: T[]; total: number } {
    const current = Math.max(1, this.int('current') ?? 1);
    const size = Math.min(maxSize, Math.max(1, this.int('size') ?? defaultSize));
    return { rows: rows.slice((current - 1) * size, current * size), total: rows.length };
  }

  /** Refuses a startTime–endTime window wider than `days` days, as Binance does (-4047). */
  window(days: number): void {
    const start = this.int('startTime');
    const end = this.int('endTime');
    if (start !== undefined && end !== undefined && (end < start || end - start > days * 86_400_000))
      throw errors.timeInterval(days);
  }

  /** allOrders and myTrades: at most 24 hours between startTime and endTime (-1127). */
  within24h(): void {
    const start = this.int('startTime');
    const end = this.int('endTime');
    if (start !== undefined && end !== undefined && end - start > 86_400_000) throw errors.over24h();
  }

  /** startTime / endTime filter on a time field. */
  inTime(time: number): boolean {
    const start = this.int('startTime');
    const end = this.int('endTime');
    return (start === undefined || time >= start) && (end === undefined || time <= end);
  }
}
