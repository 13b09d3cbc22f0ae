/**
 * Safety rails besides the gate (docs/contract.md, "Safety rails"): the kill switch,
 * the account's policy (limits and Allowed Symbols from TOOLS.md) and the daily cap.
 *
 * `check` runs once when a call arrives (to refuse fast and to value the preview) and
 * again at the one point where a write executes (Pipeline.execute), under the
 * account's cross-process lock, right before the intent is journaled: no path to
 * Binance skips it. A refusal is a `policy` (or `config`) error and nothing is sent.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Account } from '../accounts/store.js';
import type { Endpoint, Params } from '../catalog/index.js';
import type { SafetyRead } from '../catalog/reads.js';
import { configError, policyError, ToolError } from '../errors.js';
import type { Journal } from './journal.js';
import {
  orderBorrow,
  splitSymbol,
  touched,
  callValue,
  type FreeBalance,
  type OrderBorrow,
  type PriceIndex,
  type Value,
} from './valuation.js';

const fmt = (v: number) => (Math.round(v * 100) / 100).toLocaleString('en-US', { maximumFractionDigits: 2 });

/** What the rails need to read from Binance, memoised per call by the pipeline. */
export interface Market {
  index: PriceIndex;
  free: FreeBalance;
  /** Catalog reads (accounts, thresholds), memoised for the call like prices. */
  read: (role: SafetyRead, params: Params) => Promise<unknown>;
}

/** What a passed check found: the call's value and what it may borrow (when a limit needed them). */
export interface Verdict {
  value?: Value;
  borrow?: OrderBorrow;
  /** What counts toward Max Daily Value. */
  dailyUsdt?: number;
}

export class Rails {
  constructor(
    private readonly stateDir: string,
    private readonly journal: Journal,
  ) {}

  get killSwitchPath(): string {
    return join(this.stateDir, 'KILL');
  }

  /**
   * The kill switch is a file, checked on every call, so pulling or lifting it needs no
   * restart. Anything at that path counts, a dangling symlink included.
   */
  killSwitchOn(): boolean {
    try {
      lstatSync(this.killSwitchPath);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  }

  /**
   * Refuses the call when the kill switch is on (unless it only reduces risk), when the
   * account's policy in TOOLS.md does not parse, or when a limit would be exceeded.
   */
  async check(account: Account, endpoint: Endpoint, params: Params, market: Market): Promise<Verdict> {
    const reduces = endpoint.reducesRisk?.(params) ?? false;
    if (this.killSwitchOn() && !reduces)
      throw policyError(
        `The kill switch is on: ${endpoint.name} is refused on every account until it is lifted. Only cancels, ` +
          `repays and closing a user data stream are allowed.`,
        'The user lifts it by deleting the KILL file in the state directory.',
      );
    // Cancels and repays skip the limits; a transfer into margin passes the kill switch but not Max Transfer Value.
    if (reduces && endpoint.valuation !== 'transfer') return {};
    const problems = account.policyProblems ?? [];
    if (problems.length)
      throw configError(
        `Account "${account.name}" has ` +
          `${problems.map((p) => `${p.field ? `field "${p.field}"` : 'a line'} that ${p.message}`).join('; ')}; ` +
          `its writes are refused until TOOLS.md is fixed, so that a limit the user meant to set is never ` +
          `ignored.`,
        'Ask the user to fix that line of TOOLS.md; the change is picked up without a restart.',
      );

    const limits = account.limits;
    const { symbols, assets } = touched(endpoint, params);
    if (limits.allowedSymbols) {
      const allowed = limits.allowedSymbols;
      for (const s of symbols)
        if (!allowed.includes(s))
          throw policyError(
            `Limit Allowed Symbols (${allowed.join(', ')}) of account "${account.name}" does not include ${s}.`,
          );
      const allowedAssets = new Set(allowed.flatMap((s) => Object.values(splitSymbol(s) ?? {})));
      for (const a of assets)
        if (!allowedAssets.has(a))
          throw policyError(
            `Limit Allowed Symbols (${allowed.join(', ')}) of account "${account.name}" allows borrowing only ` +
              `their assets (${[...allowedAssets].join(', ')}), not ${a}.`,
          );
    }
    if (
      limits.maxOrderValue === undefined &&
      limits.maxBorrowValue === undefined &&
      limits.maxDailyValue === undefined &&
      limits.maxTransferValue === undefined
    )
      return {};

    const verdict: Verdict = {};
    await valuing(async () => {
      verdict.value = await callValue(endpoint, params, market.index);
      if (limits.maxBorrowValue !== undefined)
        verdict.borrow = await orderBorrow(endpoint, params, market.index, market.free);
    });
    const value = verdict.value;
    if (value?.what === 'order' && limits.maxOrderValue !== undefined && value.valueUsdt > limits.maxOrderValue)
      throw policyError(
        `Limit Max Order Value is ${fmt(limits.maxOrderValue)} USDT; this order is worth ${fmt(value.valueUsdt)} ` +
          `USDT${value.priceUsed ? ` (at ${value.priceUsed})` : ''}.`,
      );
    if (value?.what === 'borrow' && limits.maxBorrowValue !== undefined && value.valueUsdt > limits.maxBorrowValue)
      throw policyError(
        `Limit Max Borrow Value is ${fmt(limits.maxBorrowValue)} USDT; this borrow is worth ` +
          `${fmt(value.valueUsdt)} USDT.`,
      );
    if (
      value?.what === 'transfer' &&
      limits.maxTransferValue !== undefined &&
      value.valueUsdt > limits.maxTransferValue
    )
      throw policyError(
        `Limit Max Transfer Value is ${fmt(limits.maxTransferValue)} USDT; this transfer is worth ` +
          `${fmt(value.valueUsdt)} USDT.`,
      );
    const borrow = verdict.borrow;
    if (borrow && limits.maxBorrowValue !== undefined && borrow.valueUsdt > limits.maxBorrowValue)
      throw policyError(
        `Limit Max Borrow Value is ${fmt(limits.maxBorrowValue)} USDT; this order (sideEffectType ` +
          `${params.sideEffectType}) may borrow ${fmt(borrow.amount)} ${borrow.asset}, worth ` +
          `${fmt(borrow.valueUsdt)} USDT.`,
      );
    // Max Daily Value sums orders and borrows (docs/contract.md §9): not repays, not transfers.
    if (value && (value.what === 'order' || value.what === 'borrow')) verdict.dailyUsdt = value.valueUsdt;
    this.checkDaily(account, verdict.dailyUsdt);
    return verdict;
  }

  /** The daily cap alone, from the journal: every process's intents of the last 24 h. */
  checkDaily(account: Account, valueUsdt: number | undefined): void {
    const cap = account.limits.maxDailyValue;
    if (cap === undefined || valueUsdt === undefined) return;
    const spent = this.journal.valueSince(account.name, Date.now() - 86_400_000);
    if (spent + valueUsdt > cap)
      throw policyError(
        `Limit Max Daily Value is ${fmt(cap)} USDT; ${fmt(spent)} USDT were used in the last 24 h and this call ` +
          `adds ${fmt(valueUsdt)} USDT.`,
      );
  }
}

/** Runs a valuation; a failure to value refuses the write (fail closed). */
async function valuing(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw policyError(
      `The call could not be valued for the account's limits (${(err as Error).message}); it was not sent.`,
      'Try again, or give a price.',
    );
  }
}
