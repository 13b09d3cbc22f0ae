/**
 * Every sandbox endpoint, in an order where each call finds what it needs (an order to
 * query, a listen key to keep alive …), with the top-level fields of Binance's
 * documented answer. Used over HTTP (sandbox-exchange.test.ts) and through MCP
 * (sandbox-mcp.test.ts).
 */
import type { HttpMethod } from '../../src/binance/client.js';

export type Params = Record<string, string | number | boolean | undefined>;
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Case {
  method: HttpMethod;
  path: string;
  params?: Params | ((c: Json) => Params);
  /** Documented top-level fields; for an array, the fields of each element. */
  fields: string[];
  array?: boolean;
  /** An empty array is a valid answer here. */
  mayBeEmpty?: boolean;
  keep?: (data: Json, c: Json) => void;
}

const ORDER_FIELDS = ['clientOrderId', 'cummulativeQuoteQty', 'executedQty', 'icebergQty', 'isWorking', 'orderId', 'origQty', 'price', 'side', 'status', 'stopPrice', 'symbol', 'isIsolated', 'time', 'timeInForce', 'type', 'selfTradePreventionMode', 'updateTime'];
const LIST_FIELDS = ['orderListId', 'contingencyType', 'listStatusType', 'listOrderStatus', 'listClientOrderId', 'transactionTime', 'symbol', 'isIsolated', 'orders'];

export const CASES: Case[] = [
  { method: 'GET', path: 'margin/allPairs', fields: ['base', 'id', 'isBuyAllowed', 'isMarginTrade', 'isSellAllowed', 'quote', 'symbol'], array: true },
  { method: 'GET', path: 'margin/isolated/allPairs', fields: ['base', 'isBuyAllowed', 'isMarginTrade', 'isSellAllowed', 'quote', 'symbol'], array: true },
  { method: 'GET', path: 'margin/allAssets', fields: ['assetFullName', 'assetName', 'isBorrowable', 'isMortgageable', 'userMinBorrow', 'userMinRepay'], array: true },
  { method: 'GET', path: 'margin/priceIndex', params: { symbol: 'ETHBTC' }, fields: ['calcTime', 'price', 'symbol'] },
  { method: 'GET', path: 'margin/crossMarginCollateralRatio', fields: ['collaterals', 'assetNames'], array: true },
  { method: 'GET', path: 'margin/delist-schedule', fields: ['delistTime', 'crossMarginAssets', 'isolatedMarginSymbols'], array: true, mayBeEmpty: true },
  { method: 'GET', path: 'margin/list-schedule', fields: ['listTime', 'crossMarginAssets', 'isolatedMarginSymbols'], array: true, mayBeEmpty: true },
  { method: 'GET', path: 'margin/limit-price-pairs', fields: ['crossMarginSymbols'] },
  { method: 'GET', path: 'margin/restricted-asset', fields: ['openLongRestrictedAsset', 'maxCollateralExceededAsset'] },
  { method: 'GET', path: 'margin/risk-based-liquidation-ratio', fields: ['asset', 'riskBasedLiquidationRatio'], array: true },
  { method: 'GET', path: 'margin/account', fields: ['created', 'borrowEnabled', 'marginLevel', 'collateralMarginLevel', 'totalAssetOfBtc', 'totalLiabilityOfBtc', 'totalNetAssetOfBtc', 'TotalCollateralValueInUSDT', 'totalOpenOrderLossInUSDT', 'tradeEnabled', 'transferInEnabled', 'transferOutEnabled', 'accountType', 'userAssets'] },
  { method: 'GET', path: 'bnbBurn', fields: ['spotBNBBurn', 'interestBNBBurn'] },
  { method: 'GET', path: 'margin/tradeCoeff', fields: ['normalBar', 'marginCallBar', 'forceLiquidationBar'] },
  { method: 'POST', path: 'margin/max-leverage', params: { maxLeverage: 5 }, fields: ['success'] },
  { method: 'GET', path: 'margin/crossMarginData', params: { coin: 'BTC' }, fields: ['vipLevel', 'coin', 'transferIn', 'borrowable', 'dailyInterest', 'yearlyInterest', 'borrowLimit', 'marginablePairs'], array: true },
  { method: 'GET', path: 'margin/isolatedMarginData', params: { symbol: 'BTCUSDT' }, fields: ['vipLevel', 'symbol', 'leverage', 'data'], array: true },
  { method: 'GET', path: 'margin/isolatedMarginTier', params: { symbol: 'BTCUSDT' }, fields: ['symbol', 'tier', 'effectiveMultiple', 'initialRiskRatio', 'liquidationRiskRatio', 'baseAssetMaxBorrowable', 'quoteAssetMaxBorrowable'], array: true },
  { method: 'GET', path: 'margin/available-inventory', params: { type: 'MARGIN' }, fields: ['assets', 'updateTime'] },
  { method: 'GET', path: 'margin/maxBorrowable', params: { asset: 'BTC' }, fields: ['amount', 'borrowLimit'] },
  { method: 'GET', path: 'margin/maxTransferable', params: { asset: 'USDT' }, fields: ['amount'] },
  { method: 'GET', path: 'margin/next-hourly-interest-rate', params: { assets: 'BTC,USDT', isIsolated: 'FALSE' }, fields: ['asset', 'nextHourlyInterestRate'], array: true },
  { method: 'GET', path: 'margin/interestRateHistory', params: { asset: 'USDT' }, fields: ['asset', 'dailyInterestRate', 'timestamp', 'vipLevel'], array: true },
  { method: 'POST', path: 'margin/borrow-repay', params: { asset: 'ETH', isIsolated: 'FALSE', symbol: 'ETHUSDT', amount: '0.001', type: 'BORROW' }, fields: ['tranId'] },
  { method: 'GET', path: 'margin/borrow-repay', params: { type: 'BORROW', startTime: 1 }, fields: ['rows', 'total'] },
  { method: 'GET', path: 'margin/interestHistory', fields: ['rows', 'total'] },
  { method: 'GET', path: 'margin/exchange-small-liability', fields: ['asset', 'interest', 'principal', 'liabilityAsset', 'liabilityQty'], array: true },
  { method: 'POST', path: 'margin/exchange-small-liability', params: { assetNames: 'ETH' }, fields: [] },
  { method: 'GET', path: 'margin/exchange-small-liability-history', params: { current: 1, size: 10 }, fields: ['total', 'rows'] },
  { method: 'POST', path: 'margin/isolated/account', params: { symbol: 'BTCUSDT' }, fields: ['success', 'symbol'] },
  { method: 'GET', path: 'margin/isolated/account', fields: ['assets', 'totalAssetOfBtc', 'totalLiabilityOfBtc', 'totalNetAssetOfBtc'] },
  { method: 'GET', path: 'margin/isolated/accountLimit', fields: ['enabledAccount', 'maxAccount'] },
  { method: 'DELETE', path: 'margin/isolated/account', params: { symbol: 'BTCUSDT' }, fields: ['success', 'symbol'] },
  {
    method: 'POST', path: 'margin/order', fields: ['symbol', 'orderId', 'clientOrderId', 'isIsolated', 'transactTime', 'price', 'origQty', 'executedQty', 'cummulativeQuoteQty', 'status', 'timeInForce', 'type', 'side', 'selfTradePreventionMode', 'fills'],
    params: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '55000', newClientOrderId: 'rest-1' },
    keep: (d, c) => (c.orderId = d.orderId),
  },
  { method: 'GET', path: 'margin/order', params: (c) => ({ symbol: 'BTCUSDT', orderId: c.orderId }), fields: ORDER_FIELDS },
  { method: 'GET', path: 'margin/openOrders', params: { symbol: 'BTCUSDT' }, fields: ORDER_FIELDS, array: true },
  { method: 'DELETE', path: 'margin/order', params: { symbol: 'BTCUSDT', origClientOrderId: 'rest-1' }, fields: ['symbol', 'orderId', 'origClientOrderId', 'clientOrderId', 'price', 'origQty', 'executedQty', 'cummulativeQuoteQty', 'status', 'timeInForce', 'type', 'side', 'isIsolated'] },
  { method: 'POST', path: 'margin/order', params: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }, fields: ['symbol', 'orderId', 'fills'] },
  { method: 'GET', path: 'margin/allOrders', params: { symbol: 'BTCUSDT' }, fields: ORDER_FIELDS, array: true },
  { method: 'GET', path: 'margin/myTrades', params: { symbol: 'BTCUSDT' }, fields: ['commission', 'commissionAsset', 'id', 'isBestMatch', 'isBuyer', 'isMaker', 'orderId', 'price', 'qty', 'symbol', 'isIsolated', 'time'], array: true },
  { method: 'GET', path: 'margin/myPreventedMatches', params: { symbol: 'BTCUSDT', orderId: 1 }, fields: [], array: true, mayBeEmpty: true },
  { method: 'GET', path: 'margin/rateLimit/order', fields: ['rateLimitType', 'interval', 'intervalNum', 'limit', 'count'], array: true },
  {
    method: 'POST', path: 'margin/order/oco', params: { symbol: 'BTCUSDT', side: 'SELL', quantity: '0.001', price: '70000', stopPrice: '50000', listClientOrderId: 'oco-1' },
    fields: [...LIST_FIELDS, 'orderReports'], keep: (d, c) => (c.listId = d.orderListId),
  },
  { method: 'GET', path: 'margin/orderList', params: (c) => ({ orderListId: c.listId }), fields: LIST_FIELDS },
  { method: 'GET', path: 'margin/openOrderList', fields: LIST_FIELDS, array: true },
  { method: 'DELETE', path: 'margin/orderList', params: { symbol: 'BTCUSDT', listClientOrderId: 'oco-1' }, fields: [...LIST_FIELDS, 'orderReports'] },
  {
    method: 'POST', path: 'margin/order/oto', fields: [...LIST_FIELDS, 'orderReports'],
    params: { symbol: 'BTCUSDT', workingType: 'LIMIT', workingSide: 'BUY', workingPrice: '59000', workingQuantity: '0.002', workingIcebergQty: '0.001', workingTimeInForce: 'GTC', pendingType: 'LIMIT', pendingSide: 'SELL', pendingQuantity: '0.002', pendingPrice: '70000', pendingTimeInForce: 'GTC' },
  },
  {
    method: 'POST', path: 'margin/order/otoco', fields: [...LIST_FIELDS, 'orderReports'],
    params: { symbol: 'BTCUSDT', workingType: 'LIMIT', workingSide: 'BUY', workingPrice: '59000', workingQuantity: '0.001', workingTimeInForce: 'GTC', pendingSide: 'SELL', pendingQuantity: '0.001', pendingAboveType: 'LIMIT_MAKER', pendingAbovePrice: '70000', pendingBelowType: 'STOP_LOSS', pendingBelowStopPrice: '50000' },
  },
  { method: 'GET', path: 'margin/allOrderList', fields: LIST_FIELDS, array: true },
  { method: 'DELETE', path: 'margin/openOrders', params: { symbol: 'BTCUSDT' }, fields: ['symbol', 'isIsolated', 'orderListId'], array: true },
  { method: 'GET', path: 'margin/capital-flow', fields: ['id', 'tranId', 'timestamp', 'asset', 'type', 'amount'], array: true },
  { method: 'GET', path: 'margin/transfer', fields: ['rows', 'total'] },
  { method: 'POST', path: 'margin/apiKey', params: { apiName: 'bot' }, fields: ['apiKey', 'secretKey', 'type'] },
  { method: 'GET', path: 'margin/apiKey', fields: ['apiKey', 'ip', 'apiName', 'type', 'permissionMode'] },
  { method: 'PUT', path: 'margin/apiKey/ip', params: { ip: '127.0.0.1' }, fields: [] },
  { method: 'GET', path: 'margin/api-key-list', fields: ['apiName', 'apiKey', 'ip', 'type', 'permissionMode'], array: true },
  { method: 'DELETE', path: 'margin/apiKey', params: { apiName: 'bot' }, fields: [] },
  { method: 'POST', path: 'margin/exit-special-key-mode', fields: [] },
  { method: 'POST', path: 'margin/listen-key', fields: ['listenKey'], keep: (d, c) => (c.listenKey = d.listenKey) },
  { method: 'PUT', path: 'margin/listen-key', params: (c) => ({ listenKey: c.listenKey }), fields: [] },
  { method: 'DELETE', path: 'margin/listen-key', fields: [] },
  { method: 'POST', path: 'userListenToken', fields: ['token', 'expirationTime'] },
  { method: 'POST', path: 'asset/transfer', params: { type: 'MAIN_MARGIN', asset: 'USDT', amount: '50' }, fields: ['tranId'] },
  { method: 'GET', path: 'asset/transfer', params: { type: 'MAIN_MARGIN' }, fields: ['total', 'rows'] },
  // Cross margin: no symbol (issue 16).
  { method: 'POST', path: 'margin/borrow-repay', params: { asset: 'USDT', isIsolated: 'FALSE', amount: '100', type: 'BORROW' }, fields: ['tranId'] },
  { method: 'POST', path: 'margin/manual-liquidation', params: { type: 'MARGIN' }, fields: ['asset', 'interest', 'principal', 'liabilityAsset', 'liabilityQty'] },
  { method: 'GET', path: 'margin/forceLiquidationRec', fields: ['rows', 'total'] },
  { method: 'GET', path: 'margin/liquidation-loan', fields: ['asset', 'amount', 'repaidAmount', 'remainingAmount'] },
  { method: 'POST', path: 'margin/liquidation-loan/repay', params: { asset: 'USDC', amount: '10' }, fields: ['repayId', 'asset', 'amount', 'status', 'createTime'] },
  { method: 'GET', path: 'margin/liquidation-loan/repay-history', fields: ['total', 'rows'] },
];
