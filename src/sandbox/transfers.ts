/** Money moving between the account's spot wallet and its cross and isolated margin accounts. */
import { fmt, ZERO, type Dec } from './decimal.js';
import { errors } from './errors.js';
import type { SandboxExchange } from './exchange.js';
import type { Account, Row, Scope } from './state.js';

export class Transfers {
  constructor(private readonly ex: SandboxExchange) {}

  /** Moves funds from the demo spot wallet into margin, recorded as Binance records a transfer. */
  transferIn(scope: Scope, asset: string, amount: Dec): void {
    const account = this.ex.account(scope.accountId);
    const available = account.spot[asset] ?? ZERO;
    if (available < amount) throw errors.balanceNotEnough();
    account.spot[asset] = available - amount;
    this.ex.balance(scope, asset).free += amount;
    this.recordTransfer(account, scope, asset, amount, 'ROLL_IN');
  }

  /** Moves free funds of a scope back to the demo spot wallet. */
  transferOut(scope: Scope, asset: string, amount: Dec): void {
    const account = this.ex.account(scope.accountId);
    const bal = this.ex.balance(scope, asset);
    if (bal.free < amount) throw errors.balanceNotEnough();
    bal.free -= amount;
    account.spot[asset] = (account.spot[asset] ?? ZERO) + amount;
    this.recordTransfer(account, scope, asset, amount, 'ROLL_OUT');
  }

  private recordTransfer(account: Account, scope: Scope, asset: string, amount: Dec, type: 'ROLL_IN' | 'ROLL_OUT'): void {
    const txId = this.ex.nextId('tx');
    const margin = scope.isolatedSymbol ? 'ISOLATED_MARGIN' : 'MARGIN';
    const row: Row = {
      amount: fmt(amount),
      asset,
      status: 'CONFIRMED',
      timestamp: this.ex.now(),
      txId,
      type,
      transFrom: type === 'ROLL_IN' ? 'SPOT' : margin,
      transTo: type === 'ROLL_IN' ? margin : 'SPOT',
    };
    if (scope.isolatedSymbol) row[type === 'ROLL_IN' ? 'toSymbol' : 'fromSymbol'] = scope.isolatedSymbol;
    account.history.transfers.push(row);
    this.ex.recordFlow(scope, asset, 'TRANSFER', type === 'ROLL_IN' ? amount : -amount, txId);
  }
}
