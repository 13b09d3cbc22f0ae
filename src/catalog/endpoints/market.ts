/** Public margin market data: pairs, assets, prices, schedules and risk tables. */
import * as P from '../params.js';
import { weight, type Endpoint, type ReadEndpoint } from '../types.js';

const read = (
  name: string,
  title: string,
  description: string,
  path: string,
  w: number,
  params: Endpoint['params'] = () => ({}),
  extra: Partial<ReadEndpoint> = {},
): ReadEndpoint => ({
  name,
  title,
  description,
  method: 'GET',
  path,
  security: 'MARKET_DATA',
  weight: weight(w, 'IP'),
  params,
  write: false,
  toolset: 'market',
  ...extra,
});

export const LEVERAGE_BRACKET_RETIRED =
  'Binance retired this endpoint with Cross Margin Pro (2026-04-13); it now returns an error. Use ' +
  'get_cross_margin_fee_data and get_isolated_margin_tiers instead.';

export const marketEndpoints: Endpoint[] = [
  read(
    'get_price_index',
    'Get price index',
    'Price index Binance values a pair at.',
    '/sapi/v1/margin/priceIndex',
    10,
    () => ({ symbol: P.symbol() }),
    { toolset: 'core' },
  ),
  read(
    'list_cross_margin_pairs',
    'List cross margin pairs',
    'Cross margin pairs.',
    '/sapi/v1/margin/allPairs',
    1,
    () => ({ symbol: P.symbol().optional() }),
  ),
  read(
    'list_isolated_margin_pairs',
    'List isolated margin pairs',
    'Isolated margin pairs.',
    '/sapi/v1/margin/isolated/allPairs',
    10,
    () => ({ symbol: P.symbol().optional() }),
    { recvWindow: true },
  ),
  read(
    'list_margin_assets',
    'List margin assets',
    'Margin assets: borrowable, collateral, minimums.',
    '/sapi/v1/margin/allAssets',
    1,
    () => ({ asset: P.asset().optional() }),
  ),
  read(
    'get_collateral_ratios',
    'Get collateral ratios',
    'Collateral discount by asset and value tier.',
    '/sapi/v1/margin/crossMarginCollateralRatio',
    100,
  ),
  read(
    'get_delist_schedule',
    'Get delist schedule',
    'Assets and pairs leaving margin.',
    '/sapi/v1/margin/delist-schedule',
    100,
    () => ({}),
    { recvWindow: true },
  ),
  read(
    'get_list_schedule',
    'Get list schedule',
    'Assets and pairs joining margin.',
    '/sapi/v1/margin/list-schedule',
    100,
    () => ({}),
    { recvWindow: true },
  ),
  read(
    'list_limit_price_pairs',
    'List limit-price pairs',
    'Cross pairs whose orders have price limits.',
    '/sapi/v1/margin/limit-price-pairs',
    1,
  ),
  read(
    'get_liquidation_ratios',
    'Get liquidation ratios',
    'Risk-based liquidation ratio per asset.',
    '/sapi/v1/margin/risk-based-liquidation-ratio',
    1,
  ),
  read(
    'list_restricted_assets',
    'List restricted assets',
    'Assets barred from longs or over the collateral cap.',
    '/sapi/v1/margin/restricted-asset',
    1,
  ),
  read(
    'get_leverage_brackets',
    'Get leverage brackets (retired)',
    'RETIRED (Cross Margin Pro sunset 2026-04-13): returns an error; use get_cross_margin_fee_data or ' +
      'get_isolated_margin_tiers.',
    '/sapi/v1/margin/leverageBracket',
    1,
    () => ({}),
    { retired: LEVERAGE_BRACKET_RETIRED },
  ),
];
