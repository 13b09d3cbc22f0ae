/** Borrowing and repaying: limits, rates, small liabilities, the liquidation loan. */
import { fmt, fmtShort, fromInt, mul, toNumber } from '../decimal.js';
import { errors } from '../errors.js';
import type { SandboxExchange, Scope } from '../exchange.js';
import { ASSETS, assetInfo, hourlyRate, SYMBOLS } from '../market.js';
import { DAY_MS, TRUE_FALSE, type Add } from './common.js';

export function registerBorrowRoutes(add: Add, ex: SandboxExchange): void {
  add('POST', 'margin/borrow-repay', 'MARGIN', 1500, 'UID', (p) => {
    const asset = p.req('asset');
    const isolated = p.reqOneOf('isIsolated', TRUE_FALSE) === 'TRUE';
    // Binance marks symbol mandatory but reads it only for isolated margin.
    const scope: Scope = isolated ? { accountId: p.accountId, isolatedSymbol: p.symbol() } : { accountId: p.accountId };
    const amount = p.reqDecimal('amount');
    const type = p.reqOneOf('type', ['BORROW', 'REPAY'] as const);
    const tranId =
      type === 'BORROW' ? ex.borrow(scope, asset, amount, 'MANUAL') : ex.repay(scope, asset, amount, 'MANUAL');
    return { tranId };
  });
  add('GET', 'margin/maxBorrowable', 'USER_DATA', 750, 'UID', (p) => {
    const { amount, borrowLimit } = ex.maxBorrowable(p.isolatedScope(), p.req('asset'));
    return { amount: fmt(amount), borrowLimit: fmtShort(borrowLimit) };
  });
  add('GET', 'margin/next-hourly-interest-rate', 'USER_DATA', 100, 'IP', (p) => {
    const assets = p.list('assets') ?? [];
    if (assets.length === 0) throw errors.mandatory('assets');
    p.reqOneOf('isIsolated', TRUE_FALSE);
    return assets.map((asset) => {
      if (!assetInfo(asset)) throw errors.notMarginAsset();
      return { asset, nextHourlyInterestRate: fmt(hourlyRate(asset)) };
    });
  });
  add('GET', 'margin/interestRateHistory', 'USER_DATA', 1, 'IP', (p) => {
    const info = assetInfo(p.req('asset'));
    if (!info) throw errors.notMarginAsset();
    const vipLevel = p.int('vipLevel') ?? 0;
    // The sandbox's rates never change: one entry per day of the last week.
    const today = Math.floor(ex.now() / DAY_MS) * DAY_MS;
    return Array.from({ length: 7 }, (_, i) => today - i * DAY_MS)
      .filter((t) => p.inTime(t))
      .map((timestamp) => ({ asset: info.asset, dailyInterestRate: fmt(info.dailyInterest), timestamp, vipLevel }));
  });
  add(
    'GET',
    'margin/crossMarginData',
    'USER_DATA',
    (q) => (q.coin ? 1 : 5),
    'IP',
    (p) => {
      const coin = p.opt('coin');
      const vipLevel = p.int('vipLevel') ?? 0;
      return ASSETS.filter((a) => coin === undefined || a.asset === coin).map((a) => ({
        vipLevel,
        coin: a.asset,
        transferIn: true,
        borrowable: true,
        dailyInterest: fmt(a.dailyInterest),
        yearlyInterest: fmt(mul(a.dailyInterest, fromInt(365))),
        borrowLimit: fmtShort(a.borrowLimit),
        marginablePairs: SYMBOLS.filter((s) => s.base === a.asset || s.quote === a.asset).map((s) => s.symbol),
      }));
    },
  );
  add('GET', 'margin/exchange-small-liability', 'USER_DATA', 100, 'IP', (p) =>
    ex.liquidation.smallLiabilities(p.accountId).map((s) => ({
      asset: s.asset,
      interest: fmt(s.interest),
      principal: fmt(s.principal),
      liabilityAsset: 'USDT',
      liabilityQty: toNumber(s.valueUsdt),
    })),
  );
  add('POST', 'margin/exchange-small-liability', 'MARGIN', 3000, 'UID', (p) => {
    const assets = p.list('assetNames') ?? [];
    if (assets.length === 0) throw errors.mandatory('assetNames');
    if (assets.length > 10) throw errors.invalidParam('assetNames'); // at most 10 a call
    ex.liquidation.exchangeSmallLiabilities(p.accountId, assets);
    return {};
  });
  add('GET', 'margin/liquidation-loan', 'USER_DATA', 100, 'UID', (p) => {
    const loan = ex.liquidation.liquidationLoan(p.accountId);
    return {
      asset: loan.asset,
      amount: fmt(loan.amount),
      repaidAmount: fmt(loan.repaid),
      remainingAmount: fmt(loan.amount - loan.repaid),
    };
  });
  add('POST', 'margin/liquidation-loan/repay', 'MARGIN', 100, 'UID', (p) =>
    ex.liquidation.repayLiquidationLoan(p.accountId, p.req('asset'), p.reqDecimal('amount')),
  );
}
