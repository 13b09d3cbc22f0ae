/**
 * Cross-field rules Binance documents, checked before anything is sent. Each returns
 * a message that names the parameters involved, or undefined when the call is fine.
 */
import type { Params } from './types.js';

type Rule = (p: Params) => string | undefined;

/** Runs rules in order and returns the first refusal. */
export const all =
  (...rules: Rule[]): Rule =>
  (p) => {
    for (const rule of rules) {
      const message = rule(p);
      if (message) return message;
    }
    return undefined;
  };

export const eitherOf =
  (a: string, b: string): Rule =>
  (p) =>
    p[a] === undefined && p[b] === undefined ? `Either ${a} or ${b} is required.` : undefined;

export const timeRange =
  (maxDays?: number, start = 'startTime', end = 'endTime'): Rule =>
  (p) => {
    const s = p[start] as number | undefined;
    const e = p[end] as number | undefined;
    if (s !== undefined && e !== undefined) {
      if (s > e) return `${start} must not be after ${end}.`;
      if (maxDays !== undefined && e - s > maxDays * 86_400_000)
        return (
          `${start} and ${end} may be at most ${maxDays === 1 ? '24 hours' : `${maxDays} days`} apart ` +
          `(Binance refuses a wider window).`
        );
    }
    return undefined;
  };

export const needsTogether =
  (a: string, b: string): Rule =>
  (p) =>
    p[a] !== undefined && p[b] === undefined ? `${a} needs ${b}.` : undefined;

/** Binance reads txId first; without it, startTime is mandatory. */
export const txIdOrStartTime: Rule = (p) =>
  p.txId === undefined && p.startTime === undefined
    ? 'Either txId or startTime is required (Binance refuses neither).'
    : undefined;

export const isolatedNeedsSymbol: Rule = (p) =>
  p.isIsolated === 'TRUE' && p.symbol === undefined ? 'isIsolated=TRUE needs symbol (the isolated pair).' : undefined;

const NEEDS: Record<string, string[]> = {
  LIMIT: ['timeInForce', 'quantity', 'price'],
  MARKET: [],
  STOP_LOSS: ['quantity', 'stopPrice'],
  TAKE_PROFIT: ['quantity', 'stopPrice'],
  STOP_LOSS_LIMIT: ['timeInForce', 'quantity', 'price', 'stopPrice'],
  TAKE_PROFIT_LIMIT: ['timeInForce', 'quantity', 'price', 'stopPrice'],
  LIMIT_MAKER: ['quantity', 'price'],
};
const FORBIDS: Record<string, string[]> = {
  LIMIT: ['stopPrice', 'quoteOrderQty', 'trailingDelta'],
  MARKET: ['price', 'stopPrice', 'timeInForce', 'icebergQty'],
  STOP_LOSS: ['price', 'timeInForce', 'quoteOrderQty', 'icebergQty'],
  TAKE_PROFIT: ['price', 'timeInForce', 'quoteOrderQty', 'icebergQty'],
  STOP_LOSS_LIMIT: ['quoteOrderQty'],
  TAKE_PROFIT_LIMIT: ['quoteOrderQty'],
  LIMIT_MAKER: ['stopPrice', 'timeInForce', 'quoteOrderQty'],
};
const ICEBERG_TYPES = new Set(['LIMIT', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT', 'LIMIT_MAKER']);
const STOP_TYPES = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const TRAILING_FORBIDDEN = ['LIMIT', 'MARKET', 'LIMIT_MAKER'];

const cap = (prefix: string, name: string) => (prefix ? prefix + name[0].toUpperCase() + name.slice(1) : name);

/**
 * What an order of a given type needs and must not carry, for a plain order
 * (prefix '') or a leg of an order list (prefix 'working', 'pending', 'pendingAbove', …).
 */
export const orderTypeRule =
  (prefix: string, typeParam = prefix ? `${prefix}Type` : 'type'): Rule =>
  (p) => {
    const type = p[typeParam] as string | undefined;
    if (!type) return undefined;
    const name = (n: string) => cap(prefix, n);
    const trailing = p[name('trailingDelta')] !== undefined;
    if (trailing && TRAILING_FORBIDDEN.includes(type))
      return `${typeParam}=${type} does not take ${name('trailingDelta')} (stop and take-profit types only).`;
    // A trailing stop needs no stopPrice: it then trails from the moment it is placed.
    const needs = (NEEDS[type] ?? []).filter((n) => !(n === 'stopPrice' && trailing));
    const missing = needs.filter((n) => p[name(n)] === undefined && !(prefix && n === 'quantity'));
    if (!prefix && type === 'MARKET' && (p.quantity === undefined) === (p.quoteOrderQty === undefined))
      return 'A MARKET order needs exactly one of quantity or quoteOrderQty.';
    const said = (n: string) =>
      n === 'stopPrice' && STOP_TYPES.has(type) ? `${name(n)} (or ${name('trailingDelta')})` : name(n);
    if (missing.length) return `${typeParam}=${type} needs ${missing.map(said).join(', ')}.`;
    // Binance, 2026-06-15: a trailing pending leg of an OTO must carry its price, whatever its type.
    if (prefix === 'pending' && trailing && p[name('price')] === undefined)
      return `${name('trailingDelta')} needs ${name('price')} (Binance, since 2026-06-15).`;
    const forbids = (FORBIDS[type] ?? []).filter((n) => !(prefix === 'pending' && trailing && n === 'price'));
    const present = forbids.filter((n) => p[name(n)] !== undefined);
    if (present.length) return `${typeParam}=${type} does not take ${present.map(name).join(', ')}.`;
    const iceberg = p[name('icebergQty')];
    if (iceberg !== undefined) {
      if (!ICEBERG_TYPES.has(type))
        return `${name('icebergQty')} is only for LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT orders.`;
      if (type !== 'LIMIT_MAKER' && p[name('timeInForce')] !== 'GTC')
        return `${name('icebergQty')} needs ${name('timeInForce')}=GTC.`;
    }
    return undefined;
  };

/** OCO: the limit leg sits on the profitable side of the stop leg. */
export const ocoPrices: Rule = (p) => {
  const price = Number(p.price);
  const stop = Number(p.stopPrice);
  if (p.side === 'SELL' && !(price > stop)) return 'For a SELL OCO, price (the limit leg) must be above stopPrice.';
  if (p.side === 'BUY' && !(price < stop)) return 'For a BUY OCO, price (the limit leg) must be below stopPrice.';
  if (p.stopLimitPrice !== undefined && p.stopLimitTimeInForce === undefined)
    return 'stopLimitPrice needs stopLimitTimeInForce.';
  if (p.stopLimitTimeInForce !== undefined && p.stopLimitPrice === undefined)
    return 'stopLimitTimeInForce needs stopLimitPrice.';
  if (p.stopIcebergQty !== undefined && p.stopLimitPrice === undefined)
    return 'stopIcebergQty needs stopLimitPrice (a STOP_LOSS_LIMIT leg).';
  if (p.stopIcebergQty !== undefined && p.stopLimitTimeInForce !== 'GTC')
    return 'stopIcebergQty needs stopLimitTimeInForce=GTC.';
  return undefined;
};

/** OTOCO: the above leg and the below leg of the pending OCO. */
export const otocoLegs: Rule = (p) => {
  const above = p.pendingAboveType as string;
  const below = p.pendingBelowType as string | undefined;
  if (above === 'STOP_LOSS_LIMIT' && below === undefined)
    return 'pendingAboveType=STOP_LOSS_LIMIT needs pendingBelowType (one leg of the OCO must be LIMIT_MAKER).';
  if (below !== undefined && above !== 'LIMIT_MAKER' && below !== 'LIMIT_MAKER')
    return 'One of pendingAboveType and pendingBelowType must be LIMIT_MAKER.';
  for (const [leg, type] of [
    ['pendingAbove', above],
    ['pendingBelow', below],
  ] as const) {
    if (!type) continue;
    const param = (n: string) => `${leg}${n}`;
    const trailing = p[param('TrailingDelta')] !== undefined;
    if (type === 'LIMIT_MAKER' && p[param('Price')] === undefined)
      return `${leg}Type=LIMIT_MAKER needs ${param('Price')}.`;
    if (type === 'LIMIT_MAKER' && (trailing || p[param('StopPrice')] !== undefined))
      return `${leg}Type=LIMIT_MAKER does not take ${trailing ? param('TrailingDelta') : param('StopPrice')}.`;
    if (type !== 'LIMIT_MAKER' && p[param('StopPrice')] === undefined && !trailing)
      return `${leg}Type=${type} needs ${param('StopPrice')} or ${param('TrailingDelta')}.`;
    // Binance, 2026-06-15: a trailing leg must carry its price.
    if (trailing && p[param('Price')] === undefined)
      return `${param('TrailingDelta')} needs ${param('Price')} (Binance, since 2026-06-15).`;
    if (type === 'STOP_LOSS' && !trailing && p[param('Price')] !== undefined)
      return `${leg}Type=STOP_LOSS takes ${param('Price')} only with ${param('TrailingDelta')}.`;
    if (type === 'STOP_LOSS_LIMIT' && (p[param('Price')] === undefined || p[param('TimeInForce')] === undefined))
      return `${leg}Type=STOP_LOSS_LIMIT needs ${param('Price')} and ${param('TimeInForce')}.`;
    if (p[param('IcebergQty')] !== undefined && type === 'STOP_LOSS_LIMIT' && p[param('TimeInForce')] !== 'GTC')
      return `${param('IcebergQty')} needs ${param('TimeInForce')}=GTC.`;
  }
  return undefined;
};
