/** The cross margin account: summary, settings, transferable amounts, manual liquidation. */
import { div, fmt, fmtShort, toNumber, ZERO } from '../decimal.js';
import { errors } from '../errors.js';
import { netOf, type Balance, type SandboxExchange, type Scope } from '../exchange.js';
import { ASSETS, ASSET_NAMES } from '../market.js';
import type { Params } from '../params.js';
import { BARS, empty, type Add } from './common.js';

export function registerAccountRoutes(add: Add, ex: SandboxExchange): void {
  const account = (p: Params) => ex.account(p.accountId);
  add('GET', 'margin/account', 'USER_DATA', 10, 'IP', (p) => crossAccount(ex, p.accountId));
  add('GET', 'margin/tradeCoeff', 'USER_DATA', 10, 'IP', () => ({ ...BARS }));
  add('POST', 'margin/max-leverage', 'USER_DATA', 3000, 'UID', (p) => {
    const leverage = p.reqInt('maxLeverage');
    ex.setMaxLeverage(p.accountId, leverage);
    return { success: true };
  });
  add('GET', 'bnbBurn', 'USER_DATA', 1, 'IP', (p) => ({ ...account(p).bnbBurn }));
  add('GET', 'margin/maxTransferable', 'USER_DATA', 50, 'IP', (p) => ({
    amount: fmt(ex.maxTransferable(p.isolatedScope(), p.req('asset'))),
  }));
  add('POST', 'margin/manual-liquidation', 'MARGIN', 3000, 'UID', (p) => {
    const type = p.reqOneOf('type', ['MARGIN', 'ISOLATED'] as const);
    const scope: Scope =
      type === 'ISOLATED' ? { accountId: p.accountId, isolatedSymbol: p.symbol() } : { accountId: p.accountId };
    ex.wallet(scope);
    if (ex.totalsUsdt(scope).liabilities === 0n)
      throw errors.unsupported('The margin account has no liability to liquidate.');
    const repaid = ex.liquidation.closePositions(scope, false);
    const main = repaid.reduce((a, b) =>
      ex.prices.usdtValue(b.asset, b.principal) > ex.prices.usdtValue(a.asset, a.principal) ? b : a,
    );
    return {
      asset: main.asset,
      interest: fmt(main.interest),
      principal: fmt(main.principal),
      liabilityAsset: 'USDT',
      liabilityQty: toNumber(main.usdtSpent),
    };
  });
  add('GET', 'margin/available-inventory', 'USER_DATA', 50, 'UID', (p) => {
    p.reqOneOf('type', ['MARGIN', 'ISOLATED'] as const);
    return {
      assets: Object.fromEntries(ASSETS.map((a) => [a.asset, fmtShort(a.inventory)])),
      updateTime: Math.floor(ex.now() / 1000),
    };
  });
}

function assetLine(asset: string, b: Balance) {
  return {
    asset,
    borrowed: fmt(b.borrowed),
    free: fmt(b.free),
    interest: fmt(b.interest),
    locked: fmt(b.locked),
    netAsset: fmt(netOf(b)),
  };
}

function crossAccount(ex: SandboxExchange, accountId: string) {
  const scope = { accountId };
  const wallet = ex.wallet(scope);
  const { assets, liabilities } = ex.totalsUsdt(scope);
  const btc = ex.prices.usdtPrice('BTC');
  return {
    created: true,
    borrowEnabled: true,
    marginLevel: ex.marginLevel(scope),
    collateralMarginLevel: liabilities === 0n ? '999.00000000' : fmt(div(assets, liabilities)),
    totalAssetOfBtc: fmt(div(assets, btc)),
    totalLiabilityOfBtc: fmt(div(liabilities, btc)),
    totalNetAssetOfBtc: fmt(div(assets - liabilities, btc)),
    TotalCollateralValueInUSDT: fmt(assets),
    // Open orders rest at their own prices and lose nothing until they fill.
    totalOpenOrderLossInUSDT: fmt(ZERO),
    tradeEnabled: true,
    transferInEnabled: true,
    transferOutEnabled: true,
    accountType: 'MARGIN_1',
    userAssets: ASSET_NAMES.map((asset) => assetLine(asset, wallet[asset] ?? empty())),
  };
}
