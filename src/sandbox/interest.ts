/** Loan history rows and interest: charged when a borrow is made, then every hour on what is owed. */
import { fmt, mul, type Dec } from './decimal.js';
import type { SandboxExchange } from './exchange.js';
import { hourlyRate } from './market.js';
import type { Account, Row, Scope } from './state.js';

export function loanRow(
  ex: SandboxExchange,
  scope: Scope,
  kind: string,
  asset: string,
  amount: Dec,
  interest: Dec,
  principal: Dec,
  txId: number,
): Row {
  const row: Row = {
    type: kind,
    amount: fmt(amount),
    asset,
    interest: fmt(interest),
    principal: fmt(principal),
    status: 'CONFIRMED',
    timestamp: ex.now(),
    txId,
  };
  if (scope.isolatedSymbol) row.isolatedSymbol = scope.isolatedSymbol;
  return row;
}

export function addInterest(
  ex: SandboxExchange,
  scope: Scope,
  asset: string,
  principal: Dec,
  type: 'ON_BORROW' | 'PERIODIC',
): void {
  const rate = hourlyRate(asset);
  const interest = mul(principal, rate);
  if (interest === 0n) return;
  ex.balance(scope, asset).interest += interest;
  const row: Row = {
    txId: ex.nextId('tx'),
    interestAccuredTime: ex.now(),
    asset,
    rawAsset: asset,
    principal: fmt(principal),
    interest: fmt(interest),
    interestRate: fmt(rate),
    type,
  };
  if (scope.isolatedSymbol) row.isolatedSymbol = scope.isolatedSymbol;
  ex.account(scope.accountId).history.interest.push(row);
}

export function chargeInterest(ex: SandboxExchange, account: Account, hours: number): void {
  const scopes: Scope[] = [
    { accountId: account.id },
    ...Object.values(account.isolated)
      .filter((p) => p.enabled)
      .map((p) => ({ accountId: account.id, isolatedSymbol: p.symbol })),
  ];
  for (let h = 0; h < hours; h++) {
    for (const scope of scopes) {
      for (const [asset, b] of Object.entries(ex.wallet(scope)))
        if (b.borrowed > 0n) addInterest(ex, scope, asset, b.borrowed, 'PERIODIC');
    }
  }
}
