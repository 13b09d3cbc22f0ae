/**
 * Binance's refusals as the sandbox sends them: one function per refusal, with the
 * code and message Binance uses (binance-spot-api-docs errors.md and the SAPI
 * error-code page). Where Binance documents no code (isolated limits, special-key
 * mode, retired endpoints) the closest documented one is used and the text says why.
 */
import { BinanceReject } from './wire.js';

const r = (code: number, msg: string, httpStatus = 400) => new BinanceReject(code, msg, httpStatus);

export const errors = {
  unsupported: (msg = 'This operation is not supported.') => r(-1020, msg),
  illegalParam: (name: string, range?: string) =>
    r(
      -1100,
      range
        ? `Illegal characters found in parameter '${name}'; legal range is '${range}'.`
        : `Illegal characters found in parameter '${name}'.`,
    ),
  mandatory: (name: string) => r(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  eitherParam: (a: string, b: string) => r(-1102, `Param '${a}' or '${b}' must be sent, but both were empty/null!`),
  notRequired: (name: string) => r(-1106, `Parameter '${name}' sent when not required.`),
  precision: () => r(-1111, 'Precision is over the maximum defined for this asset.'),
  invalidTif: () => r(-1115, 'Invalid timeInForce.'),
  invalidOrderType: () => r(-1116, 'Invalid orderType.'),
  invalidSide: () => r(-1117, 'Invalid side.'),
  invalidSymbol: () => r(-1121, 'Invalid symbol.'),
  unknownListenKey: () => r(-1125, 'This listenKey does not exist.'),
  over24h: () => r(-1127, 'More than 24 hours between startTime and endTime.'),
  badCombination: () => r(-1128, 'Combination of optional parameters invalid.'),
  invalidParam: (name: string) => r(-1130, `Data sent for parameter '${name}' is not valid.`),
  filter: (filter: 'PRICE_FILTER' | 'LOT_SIZE' | 'NOTIONAL' | 'MARKET_LOT_SIZE' | 'TRAILING_DELTA') =>
    r(-1013, `Filter failure: ${filter}`),
  insufficientBalance: () => r(-2010, 'Account has insufficient balance for requested action.'),
  duplicateOrder: () => r(-2010, 'Duplicate order sent.'),
  wouldMatch: () => r(-2010, 'Order would immediately match and take.'),
  wouldTrigger: () => r(-2010, 'Order would trigger immediately.'),
  ocoPrices: () => r(-2010, 'The relationship of the prices for the orders is not correct.'),
  unknownOrderCancel: () => r(-2011, 'Unknown order sent.'),
  noSuchOrder: () => r(-2013, 'Order does not exist.'),
  badApiKeyId: () => r(-2008, 'Invalid Api-Key ID.'),
  noMarginAccount: () => r(-3003, 'Margin account does not exist.'),
  overBorrowable: () => r(-3006, 'Your borrow amount has exceed maximum borrow amount.'),
  repayNotAllowed: () => r(-3010, 'Repay not allowed.'),
  repayOverDebt: () => r(-3015, 'Repay amount exceeds borrow amount.'),
  transferOutNotAllowed: () => r(-3005, 'Transferring out not allowed.'),
  transferOutTooMuch: () => r(-3020, 'Transfer out amount exceeds max amount.'),
  /** Binance's -1209 for a listen token it cannot issue or read. */
  invalidListenToken: () => r(-1209, 'Invalid listenToken.'),
  notMarginAsset: () => r(-3027, 'Not a valid margin asset.'),
  notMarginPair: () => r(-3028, 'Not a valid margin pair.'),
  balanceNotEnough: () => r(-3041, 'Balance is not enough'),
  /** Binance documents -4047 only as "0-90 days"; capital-flow's 7-day limit uses the same code. */
  timeInterval: (days: number) => r(-4047, `Time interval must be within 0-${days} days`),
  amountOverZero: () => r(-5007, 'Quantity must be greater than zero.'),
  /** Binance answers endpoints it has switched off with -1000-style refusals; the text names the change. */
  retired: (what: string) => r(-1000, `${what} is no longer supported.`),
};
