/** Isolated margin accounts: one per pair, their fee data and tiers. */
import { dec, div, fmt, fmtShort, toNumber, ZERO } from '../decimal.js';
import { errors } from '../errors.js';
import { MAX_ISOLATED_ACCOUNTS, netOf, type Balance, type SandboxExchange } from '../exchange.js';
import { assetInfo, symbolInfo, SYMBOLS } from '../market.js';
import type { Params } from '../params.js';
import { BARS, empty, type Add } from './common.js';

export function registerIsolatedRoutes(add: Add, ex: SandboxExchange): void {
  add('GET', 'margin/isolated/account', 'USER_DATA', 10, 'IP', (p) => isolatedAccounts(ex, p));
  add('POST', 'margin/isolated/account', 'TRADE', 300, 'UID', (p) => {
    const symbol = p.symbol();
    ex.enableIsolated(p.accountId, symbol);
    return { success: true, symbol };
  });
  add('DELETE', 'margin/isolated/account', 'TRADE', 300, 'UID', (p) => {
    const symbol = p.symbol();
    ex.disableIsolated(p.accountId, symbol);
    return { success: true, symbol };
  });
  add('GET', 'margin/isolated/accountLimit', 'USER_DATA', 1, 'IP', (p) => ({
    enabledAccount: ex.enabledIsolatedCount(p.accountId),
    maxAccount: MAX_ISOLATED_ACCOUNTS,
  }));
  add(
    'GET',
    'margin/isolatedMarginData',
    'USER_DATA',
    (q) => (q.symbol ? 1 : 10),
    'IP',
    (p) => {
      const symbol = p.optSymbol();
      const vipLevel = p.int('vipLevel') ?? 0;
      return SYMBOLS.filter((s) => symbol === undefined || s.symbol === symbol).map((s) => ({
        vipLevel,
        symbol: s.symbol,
        leverage: String(s.isolatedLeverage),
        data: [
          {
            coin: s.base,
            dailyInterest: fmt(assetInfo(s.base)!.dailyInterest),
            borrowLimit: fmtShort(s.isolatedBaseBorrowLimit),
          },
          {
            coin: s.quote,
            dailyInterest: fmt(assetInfo(s.quote)!.dailyInterest),
            borrowLimit: fmtShort(s.isolatedQuoteBorrowLimit),
          },
        ],
      }));
    },
  );
  add('GET', 'margin/isolatedMarginTier', 'USER_DATA', 1, 'IP', (p) => {
    const s = symbolInfo(p.symbol())!;
    const tier = p.int('tier');
    // Tier 1 is the pair's own leverage; higher tiers lend more at lower leverage.
    return [1, 2, 3]
      .filter((t) => tier === undefined || t === tier)
      .map((t) => {
        const multiple = Math.max(2, s.isolatedLeverage - 2 * (t - 1));
        return {
          symbol: s.symbol,
          tier: t,
          effectiveMultiple: String(multiple),
          initialRiskRatio: (multiple / (multiple - 1)).toFixed(3),
          liquidationRiskRatio: BARS.forceLiquidationBar,
          baseAssetMaxBorrowable: fmtShort(s.isolatedBaseBorrowLimit * BigInt(t)),
          quoteAssetMaxBorrowable: fmtShort(s.isolatedQuoteBorrowLimit * BigInt(t)),
        };
      });
  });
}

function marginLevelStatus(level: number): string {
  if (level >= 2) return 'EXCESSIVE';
  if (level >= Number(BARS.normalBar)) return 'NORMAL';
  if (level >= Number(BARS.marginCallBar)) return 'MARGIN_CALL';
  if (level >= Number(BARS.forceLiquidationBar)) return 'PRE_LIQUIDATION';
  return 'FORCE_LIQUIDATION';
}

function isolatedAccounts(ex: SandboxExchange, p: Params) {
  const symbols = p.list('symbols');
  if (symbols && symbols.length > 5) throw errors.invalidParam('symbols');
  for (const s of symbols ?? []) if (!symbolInfo(s)) throw errors.invalidSymbol();
  const account = ex.account(p.accountId);
  const pairs = Object.values(account.isolated).filter(
    (pair) => pair.enabled && (!symbols || symbols.includes(pair.symbol)),
  );
  const btc = ex.prices.usdtPrice('BTC');
  let totalAssets = ZERO;
  let totalLiabilities = ZERO;
  const entries = pairs.map((pair) => {
    const info = symbolInfo(pair.symbol)!;
    const scope = { accountId: p.accountId, isolatedSymbol: pair.symbol };
    const { assets, liabilities } = ex.totalsUsdt(scope);
    totalAssets += assets;
    totalLiabilities += liabilities;
    const side = (asset: string) => {
      const b = pair.wallet[asset] ?? empty();
      return {
        asset,
        borrowEnabled: true,
        borrowed: fmt(b.borrowed),
        free: fmt(b.free),
        interest: fmt(b.interest),
        locked: fmt(b.locked),
        netAsset: fmt(netOf(b)),
        netAssetOfBtc: fmt(ex.prices.btcValue(asset, netOf(b))),
        repayEnabled: true,
        totalAsset: fmt(b.free + b.locked),
      };
    };
    const level = liabilities === 0n ? 999 : toNumber(div(assets, liabilities));
    return {
      baseAsset: side(info.base),
      quoteAsset: side(info.quote),
      symbol: pair.symbol,
      isolatedCreated: true,
      enabled: true,
      marginLevel: ex.marginLevel(scope),
      marginLevelStatus: marginLevelStatus(level),
      marginRatio: String(info.isolatedLeverage),
      indexPrice: ex.getPrice(pair.symbol),
      liquidatePrice: fmt(
        liquidationPrice(pair.symbol, pair.wallet[info.base] ?? empty(), pair.wallet[info.quote] ?? empty()),
      ),
      liquidateRate:
        liabilities === 0n ? '0.00000000' : fmt(div(dec(BARS.forceLiquidationBar), div(assets, liabilities))),
      tradeEnabled: true,
    };
  });
  if (symbols) return { assets: entries };
  return {
    assets: entries,
    totalAssetOfBtc: fmt(div(totalAssets, btc)),
    totalLiabilityOfBtc: fmt(div(totalLiabilities, btc)),
    totalNetAssetOfBtc: fmt(div(totalAssets - totalLiabilities, btc)),
  };
}

function liquidationPrice(symbol: string, base: Balance, quote: Balance): bigint {
  const bar = Number(BARS.forceLiquidationBar);
  const [ab, aq] = [toNumber(base.free + base.locked), toNumber(quote.free + quote.locked)];
  const [lb, lq] = [toNumber(base.borrowed + base.interest), toNumber(quote.borrowed + quote.interest)];
  if (lb === 0 && lq === 0) return ZERO;
  const price = (bar * lq - aq) / (ab - bar * lb);
  const tick = symbolInfo(symbol)!.tickSize;
  if (!Number.isFinite(price) || price <= 0) return ZERO;
  return (dec(price.toFixed(8)) / tick) * tick;
}
