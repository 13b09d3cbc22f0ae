/** Public margin market data: pairs, assets, prices, schedules, risk tables. */
import { fmt } from '../decimal.js';
import { errors } from '../errors.js';
import type { SandboxExchange } from '../exchange.js';
import { ASSETS, assetInfo, ASSET_NAMES, SYMBOLS } from '../market.js';
import type { Add } from './common.js';

export function registerMarketRoutes(add: Add, ex: SandboxExchange): void {
  add('GET', 'margin/allPairs', 'MARKET_DATA', 1, 'IP', (p) => {
    const symbol = p.optSymbol();
    return SYMBOLS.filter((s) => symbol === undefined || s.symbol === symbol).map((s, i) => ({
      base: s.base,
      id: 351637150141315 + i, // Binance's ids are large; these stay below 2^53, exact in JSON
      isBuyAllowed: true,
      isMarginTrade: true,
      isSellAllowed: true,
      quote: s.quote,
      symbol: s.symbol,
    }));
  });
  add('GET', 'margin/isolated/allPairs', 'MARKET_DATA', 10, 'IP', (p) => {
    const symbol = p.optSymbol();
    return SYMBOLS.filter((s) => symbol === undefined || s.symbol === symbol).map((s) => ({
      base: s.base,
      isBuyAllowed: true,
      isMarginTrade: true,
      isSellAllowed: true,
      quote: s.quote,
      symbol: s.symbol,
    }));
  });
  add('GET', 'margin/allAssets', 'MARKET_DATA', 1, 'IP', (p) => {
    const asset = p.opt('asset');
    if (asset !== undefined && !assetInfo(asset)) throw errors.notMarginAsset();
    return ASSETS.filter((a) => asset === undefined || a.asset === asset).map((a) => ({
      assetFullName: a.fullName,
      assetName: a.asset,
      isBorrowable: true,
      isMortgageable: true,
      userMinBorrow: fmt(a.userMinBorrow),
      userMinRepay: fmt(a.userMinRepay),
      delistTime: null, // no sandbox asset is being delisted (Binance: ms of the delisting)
    }));
  });
  add('GET', 'margin/priceIndex', 'MARKET_DATA', 10, 'IP', (p) => {
    const symbol = p.symbol();
    return { calcTime: ex.now(), price: ex.getPrice(symbol), symbol };
  });
  add('GET', 'margin/crossMarginCollateralRatio', 'MARKET_DATA', 100, 'IP', () => [
    { collaterals: [{ minUsdValue: '0', maxUsdValue: '13000000', discountRate: '1' }], assetNames: ASSET_NAMES },
  ]);
  add('GET', 'margin/delist-schedule', 'MARKET_DATA', 100, 'IP', () => []);
  add('GET', 'margin/list-schedule', 'MARKET_DATA', 100, 'IP', () => []);
  add('GET', 'margin/limit-price-pairs', 'MARKET_DATA', 1, 'IP', () => ({ crossMarginSymbols: [] }));
  add('GET', 'margin/restricted-asset', 'MARKET_DATA', 1, 'IP', () => ({
    openLongRestrictedAsset: [],
    maxCollateralExceededAsset: [],
  }));
  add('GET', 'margin/risk-based-liquidation-ratio', 'MARKET_DATA', 1, 'IP', () =>
    ASSET_NAMES.map((asset) => ({
      asset,
      riskBasedLiquidationRatio: asset === 'USDT' || asset === 'USDC' ? '0.01' : '0.05',
    })),
  );
  add('GET', 'margin/leverageBracket', 'MARKET_DATA', 1, 'IP', () => {
    // Retired with Cross Margin Pro (Binance change log 2026-04-13).
    throw errors.retired('Cross Margin Pro has been sunset: GET /sapi/v1/margin/leverageBracket');
  });
}
