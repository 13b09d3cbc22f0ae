/**
 * Safety rails besides the gate (interface.md §9): the kill switch and the per-account
 * limits. Checked when a call is made and again when a pending action is confirmed;
 * a refusal is a `policy` error and nothing is sent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Account } from '../accounts/store.js';
import type { Endpoint, Params } from '../catalog/index.js';
import { policyError } from '../errors.js';
import type { Journal } from './journal.js';
import { splitSymbol, touched, valueOf, type PriceIndex, type Value } from './valuation.js';

const fmt = (v: number) => (Math.round(v * 100) / 100).toLocaleString('en-US', { maximumFractionDigits: 2 });

export class Rails {
  constructor(
    private readonly stateDir: string,
    private readonly journal: Journal,
  ) {}

  get killSwitchPath(): string {
    return join(this.stateDir, 'KILL');
  }

  /** The kill switch is a file: checked on every call, so pulling or lifting it needs no restart. */
  killSwitchOn(): boolean {
    return existsSync(this.killSwitchPath);
  }

  /**
   * Refuses the call when the kill switch is on (unless it only reduces risk) or a
   * limit of the account would be exceeded. Returns the call's value when it was
   * needed for a limit (for the journal's daily total).
   */
  async check(account: Account, endpoint: Endpoint, params: Params, index: PriceIndex): Promise<Value | undefined> {
    const reduces = endpoint.reducesRisk?.(params) ?? false;
    if (this.killSwitchOn() && !reduces)
      throw policyError(
        `The kill switch is on: ${endpoint.name} is refused on every account until it is lifted. Only cancels, repays and closing a user data stream are allowed.`,
        'The user lifts it by deleting the KILL file in the state directory.',
      );
    const limits = account.limits;
    const { symbols, assets } = touched(endpoint, params);
    if (limits.allowedSymbols && !reduces) {
      const allowed = limits.allowedSymbols;
      for (const s of symbols)
        if (!allowed.includes(s)) throw policyError(`Limit Allowed Symbols (${allowed.join(', ')}) of account "${account.name}" does not include ${s}.`);
      const allowedAssets = new Set(allowed.flatMap((s) => Object.values(splitSymbol(s) ?? {})));
      for (const a of assets)
        if (!allowedAssets.has(a)) throw policyError(`Limit Allowed Symbols (${allowed.join(', ')}) of account "${account.name}" allows borrowing only their assets (${[...allowedAssets].join(', ')}), not ${a}.`);
    }
    const needsValue = limits.maxOrderValue !== undefined || limits.maxBorrowValue !== undefined || limits.maxDailyValue !== undefined;
    if (!needsValue || !endpoint.valuation || ['none', 'symbol-only'].includes(endpoint.valuation)) return undefined;
    let value: Value | undefined;
    try {
      value = await valueOf(endpoint, params, index);
    } catch (err) {
      throw policyError(`The call could not be valued for the account's limits (${(err as Error).message}); it was not sent.`, 'Try again, or give a price.');
    }
    if (!value) return undefined;
    if (value.what === 'order' && limits.maxOrderValue !== undefined && value.valueUsdt > limits.maxOrderValue)
      throw policyError(`Limit Max Order Value is ${fmt(limits.maxOrderValue)} USDT; this order is worth ${fmt(value.valueUsdt)} USDT${value.priceUsed ? ` (at ${value.priceUsed})` : ''}.`);
    if (value.what === 'borrow' && limits.maxBorrowValue !== undefined && value.valueUsdt > limits.maxBorrowValue)
      throw policyError(`Limit Max Borrow Value is ${fmt(limits.maxBorrowValue)} USDT; this borrow is worth ${fmt(value.valueUsdt)} USDT.`);
    if (value.what === 'repay') return undefined;
    this.checkDaily(account, value.valueUsdt);
    return value;
  }

  /**
   * The daily cap alone, from the journal. Run again right before sending, under the
   * account's write lock, so that two concurrent calls cannot both fit in the last room.
   */
  checkDaily(account: Account, valueUsdt: number | undefined): void {
    const cap = account.limits.maxDailyValue;
    if (cap === undefined || valueUsdt === undefined) return;
    const spent = this.journal.valueSince(account.name, Date.now() - 86_400_000);
    if (spent + valueUsdt > cap)
      throw policyError(`Limit Max Daily Value is ${fmt(cap)} USDT; ${fmt(spent)} USDT were used in the last 24 h and this call adds ${fmt(valueUsdt)} USDT.`);
  }
}
