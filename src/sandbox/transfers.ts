/**
 * Money moving between the account's spot wallet and its cross and isolated margin
 * accounts: the demo funding, and the wallet's universal transfer of the five margin
 * types (spot ↔ cross, cross ↔ isolated, isolated ↔ isolated).
 */
import { fmt, ZERO, type Dec } from './decimal.js';
import { errors } from './errors.js';
import type { SandboxExchange } from './exchange.js';
import type { Account, Row, Scope } from './state.js';

/** Binance's margin transfer types and the wallets they move between. */
export const UNIVERSAL_TYPES = {
  MAIN_MARGIN: ['SPOT', 'MARGIN'],
  MARGIN_MAIN: ['MARGIN', 'SPOT'],
  MARGIN_ISOLATEDMARGIN: ['MARGIN', 'ISOLATED_MARGIN'],
  ISOLATEDMARGIN_MARGIN: ['ISOLATED_MARGIN', 'MARGIN'],
  ISOLATEDMARGIN_ISOLATEDMARGIN: ['ISOLATED_MARGIN', 'ISOLATED_MARGIN'],
} as const;
export type UniversalType = keyof typeof UNIVERSAL_TYPES;
type Place = 'SPOT' | 'MARGIN' | 'ISOLATED_MARGIN';

export class Transfers {
  constructor(private readonly ex: SandboxExchange) {}

  /** Moves funds from the demo spot wallet into margin, recorded as Binance records a transfer. */
  transferIn(scope: Scope, asset: string, amount: Dec): number {
    const account = this.ex.account(scope.accountId);
    const available = account.spot[asset] ?? ZERO;
    if (available < amount) throw errors.balanceNotEnough();
    account.spot[asset] = available - amount;
    this.ex.balance(scope, asset).free += amount;
    const txId = this.ex.nextId('tx');
    this.record(account, scope, asset, amount, 'ROLL_IN', 'SPOT', txId);
    return txId;
  }

  /** Moves free funds of a scope back to the demo spot wallet. */
  transferOut(scope: Scope, asset: string, amount: Dec): number {
    const account = this.ex.account(scope.accountId);
    const bal = this.ex.balance(scope, asset);
    if (bal.free < amount) throw errors.balanceNotEnough();
    bal.free -= amount;
    account.spot[asset] = (account.spot[asset] ?? ZERO) + amount;
    const txId = this.ex.nextId('tx');
    this.record(account, scope, asset, amount, 'ROLL_OUT', 'SPOT', txId);
    return txId;
  }

  /**
   * POST /sapi/v1/asset/transfer for the margin types: funds leave a margin account only
   * up to what maxTransferable allows (collateral that backs debt stays).
   */
  universal(
    accountId: string,
    type: UniversalType,
    asset: string,
    amount: Dec,
    fromSymbol?: string,
    toSymbol?: string,
  ): number {
    const [from, to] = UNIVERSAL_TYPES[type];
    if (from === 'ISOLATED_MARGIN' && !fromSymbol) throw errors.mandatory('fromSymbol');
    if (to === 'ISOLATED_MARGIN' && !toSymbol) throw errors.mandatory('toSymbol');
    if (from !== 'ISOLATED_MARGIN' && fromSymbol) throw errors.notRequired('fromSymbol');
    if (to !== 'ISOLATED_MARGIN' && toSymbol) throw errors.notRequired('toSymbol');
    if (amount <= 0n) throw errors.amountOverZero();
    const account = this.ex.account(accountId);
    const source: Scope | undefined = from === 'SPOT' ? undefined : { accountId, isolatedSymbol: fromSymbol };
    const target: Scope | undefined = to === 'SPOT' ? undefined : { accountId, isolatedSymbol: toSymbol };
    if (source && target && source.isolatedSymbol === target.isolatedSymbol) throw errors.invalidParam('toSymbol');
    for (const s of [source, target]) if (s) this.ex.checkAsset(s, asset);
    let tranId: number;
    if (!source) tranId = this.transferIn(target!, asset, amount);
    else {
      if (amount > this.ex.maxTransferable(source, asset)) throw errors.transferOutTooMuch();
      if (!target) tranId = this.transferOut(source, asset, amount);
      else {
        this.ex.wallet(target); // the receiving isolated pair must be enabled
        this.ex.balance(source, asset).free -= amount;
        this.ex.balance(target, asset).free += amount;
        tranId = this.ex.nextId('tx');
        this.record(account, source, asset, amount, 'ROLL_OUT', to, tranId, toSymbol);
        this.record(account, target, asset, amount, 'ROLL_IN', from, tranId, fromSymbol);
      }
    }
    const row: Row = { asset, amount: fmt(amount), type, status: 'CONFIRMED', tranId, timestamp: this.ex.now() };
    if (fromSymbol) row.fromSymbol = fromSymbol;
    if (toSymbol) row.toSymbol = toSymbol;
    (account.history.universal ??= []).push(row);
    return tranId;
  }

  /** A row of margin transfer history (GET margin/transfer) and its capital-flow line. */
  private record(
    account: Account,
    scope: Scope,
    asset: string,
    amount: Dec,
    type: 'ROLL_IN' | 'ROLL_OUT',
    other: Place,
    txId: number,
    otherSymbol?: string,
  ): void {
    const here: Place = scope.isolatedSymbol ? 'ISOLATED_MARGIN' : 'MARGIN';
    const row: Row = {
      amount: fmt(amount),
      asset,
      status: 'CONFIRMED',
      timestamp: this.ex.now(),
      txId,
      type,
      transFrom: type === 'ROLL_IN' ? other : here,
      transTo: type === 'ROLL_IN' ? here : other,
    };
    const [fromSymbol, toSymbol] =
      type === 'ROLL_IN' ? [otherSymbol, scope.isolatedSymbol] : [scope.isolatedSymbol, otherSymbol];
    if (fromSymbol) row.fromSymbol = fromSymbol;
    if (toSymbol) row.toSymbol = toSymbol;
    row.scope = scope.isolatedSymbol ?? 'CROSS'; // whose history it is; not shown
    account.history.transfers.push(row);
    this.ex.recordFlow(scope, asset, 'TRANSFER', type === 'ROLL_IN' ? amount : -amount, txId);
  }
}
