/** A readable snapshot of an account for tests: balances as 8-decimal strings, per scope. */
import { fmt } from './decimal.js';
import type { SandboxExchange } from './exchange.js';
import { netOf, type Wallet } from './state.js';

type Balances = Record<string, { free: string; locked: string; borrowed: string; interest: string; netAsset: string }>;

export interface AccountSnapshot {
  marginLevel: string;
  cross: Balances;
  isolated: Record<string, Balances>;
  liquidationLoan: { asset: string; amount: string; repaid: string };
}

export function snapshotOf(ex: SandboxExchange, accountId: string): AccountSnapshot {
  const account = ex.account(accountId);
  const show = (w: Wallet): Balances =>
    Object.fromEntries(
      Object.entries(w).map(([asset, b]) => [
        asset,
        {
          free: fmt(b.free),
          locked: fmt(b.locked),
          borrowed: fmt(b.borrowed),
          interest: fmt(b.interest),
          netAsset: fmt(netOf(b)),
        },
      ]),
    );
  const loan = ex.liquidation.liquidationLoan(accountId);
  return {
    marginLevel: ex.marginLevel({ accountId }),
    cross: show(account.cross),
    isolated: Object.fromEntries(
      Object.values(account.isolated)
        .filter((p) => p.enabled)
        .map((p) => [p.symbol, show(p.wallet)]),
    ),
    liquidationLoan: { asset: loan.asset, amount: fmt(loan.amount), repaid: fmt(loan.repaid) },
  };
}
