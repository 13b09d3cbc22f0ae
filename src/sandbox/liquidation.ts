/**
 * When debts end: small liabilities exchanged for USDT, positions closed by a manual or
 * forced liquidation, and the liquidation loan a liquidation below zero leaves.
 */
import { dec, fmt, max, min, mul, ZERO, type Dec } from './decimal.js';
import { errors } from './errors.js';
import type { SandboxExchange } from './exchange.js';
import { symbolInfo } from './market.js';
import { emptyBalance, type Row, type Scope } from './state.js';

/** Debts worth less than this (USDT) count as "small liabilities". */
const SMALL_LIABILITY_USDT = dec('10');

export class Liquidation {
  constructor(private readonly ex: SandboxExchange) {}

  smallLiabilities(accountId: string): { asset: string; interest: Dec; principal: Dec; valueUsdt: Dec }[] {
    const out = [];
    for (const [asset, b] of Object.entries(this.ex.account(accountId).cross)) {
      const owed = b.borrowed + b.interest;
      if (owed === 0n || asset === 'USDT') continue;
      const valueUsdt = this.ex.prices.usdtValue(asset, owed);
      if (valueUsdt < SMALL_LIABILITY_USDT) out.push({ asset, interest: b.interest, principal: b.borrowed, valueUsdt });
    }
    return out;
  }

  /** Clears the named small debts, paying their value in USDT. */
  exchangeSmallLiabilities(accountId: string, assets: string[]): void {
    const small = new Map(this.smallLiabilities(accountId).map((s) => [s.asset, s]));
    for (const asset of assets) if (!small.has(asset)) throw errors.invalidParam('assetNames');
    const scope = { accountId };
    const usdt = this.ex.balance(scope, 'USDT');
    const cost = assets.reduce((sum, a) => sum + small.get(a)!.valueUsdt + 1n, ZERO); // +1e-8: round the price up
    if (usdt.free < cost) throw errors.balanceNotEnough();
    for (const asset of assets) {
      const s = small.get(asset)!;
      const b = this.ex.balance(scope, asset);
      const owed = b.borrowed + b.interest;
      const paid = s.valueUsdt + 1n;
      usdt.free -= paid;
      b.borrowed = ZERO;
      b.interest = ZERO;
      const txId = this.ex.nextId('tx');
      this.ex.recordFlow(scope, 'USDT', 'SMALL_CONVERT', -paid, txId);
      this.ex.recordFlow(scope, asset, 'REPAY', -owed, txId);
      this.ex.account(accountId).history.smallLiability.push({
        asset,
        amount: fmt(owed),
        targetAsset: 'USDT',
        targetAmount: fmt(paid),
        bizType: 'EXCHANGE_SMALL_LIABILITY',
        timestamp: this.ex.now(),
      });
    }
  }

  // ---------------------------------------------------------------- liquidation

  /**
   * Closes every position of the scope at the index price: cancels its orders, sells
   * what it holds for USDT and buys back what it owes. Returns the debts it repaid.
   * `forced` records the trades in forceLiquidationRec, as a margin call would.
   */
  closePositions(scope: Scope, forced: boolean): { asset: string; interest: Dec; principal: Dec; usdtSpent: Dec }[] {
    const account = this.ex.account(scope.accountId);
    this.ex.orders.cancelAllInScope(scope);
    const wallet = this.ex.wallet(scope);
    const usdt = this.ex.balance(scope, 'USDT');
    const trade = (asset: string, side: 'BUY' | 'SELL', qty: Dec): Dec => {
      const symbol = `${asset}USDT`;
      const price = this.ex.prices.get(symbol);
      const value = mul(qty, price);
      const orderId = this.ex.nextId('order');
      this.ex.recordFlow(
        scope,
        asset,
        side === 'SELL' ? 'SELL_LIQUIDATION' : 'BUY_LIQUIDATION',
        side === 'SELL' ? -qty : qty,
        undefined,
        symbol,
      );
      this.ex.recordFlow(
        scope,
        'USDT',
        side === 'SELL' ? 'SELL_LIQUIDATION' : 'BUY_LIQUIDATION',
        side === 'SELL' ? value : -value,
        undefined,
        symbol,
      );
      if (forced) {
        account.history.forceLiquidations.push({
          avgPrice: fmt(price),
          executedQty: fmt(qty),
          orderId,
          price: fmt(price),
          qty: fmt(qty),
          side,
          symbol,
          timeInForce: 'GTC',
          isIsolated: !!scope.isolatedSymbol,
          updatedTime: this.ex.now(),
        });
      }
      return value;
    };
    // Sell every non-USDT holding beyond what is needed to repay that same asset.
    for (const [asset, b] of Object.entries(wallet)) {
      if (asset === 'USDT' || asset === 'USDC') continue;
      const keep = min(b.free, b.borrowed + b.interest);
      const sell = b.free - keep;
      if (sell > 0n && symbolInfo(`${asset}USDT`)) {
        b.free -= sell;
        usdt.free += trade(asset, 'SELL', sell);
      }
    }
    const repaid: { asset: string; interest: Dec; principal: Dec; usdtSpent: Dec }[] = [];
    for (const [asset, b] of Object.entries(wallet)) {
      const owed = b.borrowed + b.interest;
      if (owed === 0n) continue;
      let usdtSpent = ZERO;
      const shortfall = owed - min(b.free, owed);
      if (shortfall > 0n) {
        if (asset === 'USDC') usdtSpent = shortfall;
        else if (asset !== 'USDT') usdtSpent = trade(asset, 'BUY', shortfall);
        // USDT may go negative here: that is the deficit a liquidation loan covers.
        usdt.free -= usdtSpent;
        if (asset !== 'USDT') b.free += shortfall;
      }
      const pay = min(owed, asset === 'USDT' ? max(usdt.free, ZERO) : b.free);
      const interest = b.interest;
      const principal = b.borrowed;
      const interestPaid = min(pay, b.interest);
      b.interest -= interestPaid;
      b.borrowed -= pay - interestPaid;
      b.free -= pay;
      this.ex.recordFlow(scope, asset, 'REPAY_LIQUIDATION', -pay);
      repaid.push({ asset, interest, principal, usdtSpent });
    }
    return repaid;
  }

  /**
   * A test helper: force-liquidates the cross account as if the market had gapped. Its
   * positions are closed, whatever equity remains is seized, and a liquidation loan of
   * `deficitUsdc` (default 100) is left for the account to repay.
   */
  simulateLiquidation(accountId: string, deficitUsdc = '100'): void {
    const scope = { accountId };
    const account = this.ex.account(accountId);
    this.closePositions(scope, true);
    let deficit = dec(deficitUsdc);
    for (const [asset, b] of Object.entries(account.cross)) {
      if (b.free < 0n) deficit += -this.ex.prices.usdtValue(asset, b.free);
      if (b.free > 0n) this.ex.recordFlow(scope, asset, 'OTHER_LIQUIDATION', -b.free);
      account.cross[asset] = emptyBalance();
    }
    const loan = (account.liquidationLoan ??= { asset: 'USDC', amount: ZERO, repaid: ZERO });
    loan.amount += deficit;
  }

  liquidationLoan(accountId: string): { asset: string; amount: Dec; repaid: Dec } {
    return this.ex.account(accountId).liquidationLoan ?? { asset: 'USDC', amount: ZERO, repaid: ZERO };
  }

  /** Repays the liquidation loan from the demo spot wallet (USDT and USDC count one for one). */
  repayLiquidationLoan(accountId: string, asset: string, amount: Dec): Row {
    const account = this.ex.account(accountId);
    if (asset !== 'USDC' && asset !== 'USDT') throw errors.notMarginAsset();
    if (amount <= 0n) throw errors.amountOverZero();
    const loan = account.liquidationLoan;
    if (!loan || loan.amount - loan.repaid === 0n) throw errors.repayNotAllowed();
    if (amount > loan.amount - loan.repaid) throw errors.repayOverDebt();
    if ((account.spot[asset] ?? ZERO) < amount) throw errors.balanceNotEnough();
    account.spot[asset] -= amount;
    loan.repaid += amount;
    const row: Row = {
      repayId: this.ex.nextId('tx'),
      asset,
      amount: fmt(amount),
      status: 'SUCCESS',
      createTime: this.ex.now(),
    };
    account.history.loanRepays.push(row);
    return row;
  }
}
