/** Building blocks of the one-sentence summaries the confirmation gate shows a person. */
import { CONTROL_CHARACTERS_ALL } from '../text.js';
import type { Params } from './types.js';

/**
 * Text the agent typed (a key name, a client id), quoted and on one line, so that it
 * cannot pose as part of the sentence the user confirms.
 */
export const quoted = (v: unknown) => JSON.stringify(String(v).replace(CONTROL_CHARACTERS_ALL, ' '));

export const margin = (p: Params) => (p.isIsolated === 'TRUE' ? ` in the isolated ${p.symbol} account` : '');

export function sideEffect(p: Params): string {
  switch (p.sideEffectType) {
    case 'MARGIN_BUY':
      return ', borrowing as needed (MARGIN_BUY)';
    case 'AUTO_REPAY':
      return ', repaying debt from the proceeds (AUTO_REPAY)';
    case 'AUTO_BORROW_REPAY':
      return ', borrowing as needed and repaying from the proceeds (AUTO_BORROW_REPAY)';
    default:
      return '';
  }
}

/** "BUY 0.01 BTCUSDT LIMIT at 60000 GTC" */
export function orderPhrase(p: Params, prefix = ''): string {
  const f = (n: string) => p[prefix ? prefix + n[0].toUpperCase() + n.slice(1) : n];
  const type = (f('type') as string) ?? '';
  const parts = [String(f('side') ?? p.side)];
  const qty = f('quantity') ?? (prefix ? undefined : undefined);
  if (qty !== undefined) parts.push(String(qty), String(p.symbol), type);
  else if (!prefix && p.quoteOrderQty !== undefined)
    parts.push(String(p.symbol), 'for', `${p.quoteOrderQty} (quote asset)`, type);
  else parts.push(String(p.symbol), type);
  if (f('price') !== undefined) parts.push('at', String(f('price')));
  if (f('stopPrice') !== undefined) parts.push('stop', String(f('stopPrice')));
  if (f('trailingDelta') !== undefined) parts.push('trailing', `${f('trailingDelta')} bips`);
  if (f('timeInForce') !== undefined) parts.push(String(f('timeInForce')));
  if (f('icebergQty') !== undefined) parts.push(`(iceberg ${f('icebergQty')})`);
  return parts.join(' ');
}
