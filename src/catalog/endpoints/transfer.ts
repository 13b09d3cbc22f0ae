/**
 * Moving collateral: the wallet's universal transfer, limited to the five margin types
 * Binance documents (spot ↔ cross, cross ↔ isolated, isolated ↔ isolated). No other
 * transfer type and nothing else of the wallet (no withdrawals) is exposed.
 */
import * as P from '../params.js';
import { all, timeRange } from '../rules.js';
import { weight, type CollateralMove, type Endpoint, type Params, type Wallet } from '../types.js';

/** The margin transfer types of POST /sapi/v1/asset/transfer, and where each moves funds. */
export const MARGIN_TRANSFERS = {
  MAIN_MARGIN: ['SPOT', 'CROSS'],
  MARGIN_MAIN: ['CROSS', 'SPOT'],
  MARGIN_ISOLATEDMARGIN: ['CROSS', 'ISOLATED'],
  ISOLATEDMARGIN_MARGIN: ['ISOLATED', 'CROSS'],
  ISOLATEDMARGIN_ISOLATEDMARGIN: ['ISOLATED', 'ISOLATED'],
} as const satisfies Record<string, readonly [Wallet, Wallet]>;
type TransferType = keyof typeof MARGIN_TRANSFERS;
const TYPES = Object.keys(MARGIN_TRANSFERS) as [TransferType, ...TransferType[]];

const WALLET_NAMES: Record<Wallet, string> = { SPOT: 'the spot wallet', CROSS: 'cross margin', ISOLATED: 'isolated' };

/** fromSymbol for transfers out of an isolated pair, toSymbol for transfers into one; never otherwise. */
const symbolsFitType = (p: Params): string | undefined => {
  const [from, to] = MARGIN_TRANSFERS[p.type as TransferType];
  for (const [param, wallet] of [
    ['fromSymbol', from],
    ['toSymbol', to],
  ] as const) {
    if (wallet === 'ISOLATED' && p[param] === undefined) return `type=${p.type} needs ${param} (the isolated pair).`;
    if (wallet !== 'ISOLATED' && p[param] !== undefined)
      return `type=${p.type} does not take ${param} (only isolated sides do).`;
  }
  if (from === 'ISOLATED' && to === 'ISOLATED' && p.fromSymbol === p.toSymbol)
    return 'fromSymbol and toSymbol must be different pairs.';
  return undefined;
};

const moveOf = (p: Params): CollateralMove => {
  const [from, to] = MARGIN_TRANSFERS[p.type as TransferType];
  return {
    asset: String(p.asset),
    amount: String(p.amount),
    from,
    to,
    ...(p.fromSymbol !== undefined ? { fromSymbol: String(p.fromSymbol) } : {}),
    ...(p.toSymbol !== undefined ? { toSymbol: String(p.toSymbol) } : {}),
  };
};

const side = (w: Wallet, symbol: unknown) => (w === 'ISOLATED' ? `isolated ${String(symbol)}` : WALLET_NAMES[w]);

export const transferEndpoints: Endpoint[] = [
  {
    name: 'transfer_margin_collateral',
    title: 'Transfer margin collateral',
    description: 'Move an asset: spot wallet, cross margin, isolated pairs.',
    method: 'POST',
    path: '/sapi/v1/asset/transfer',
    security: 'USER_DATA',
    weight: weight(900, 'UID'),
    params: () => ({
      type: P.oneOf(TYPES, 'MAIN=spot, MARGIN=cross, ISOLATEDMARGIN=isolated'),
      asset: P.asset(),
      amount: P.decimal(),
      fromSymbol: P.symbol().optional(),
      toSymbol: P.symbol().optional(),
    }),
    write: true,
    toolset: 'transfer',
    check: symbolsFitType,
    summary: (p, c) => {
      if (!(String(p.type) in MARGIN_TRANSFERS)) return `Transfer ${p.amount} ${p.asset} (${p.type}) ${c.where}`;
      const m = moveOf(p);
      return (
        `Transfer ${m.amount} ${m.asset} from ${side(m.from, m.fromSymbol)} to ${side(m.to, m.toSymbol)} ` +
        `${c.where}`
      );
    },
    // Into margin from the spot wallet only adds collateral; every other move takes it from a margin account.
    reducesRisk: (p) => p.type === 'MAIN_MARGIN',
    valuation: 'transfer',
    move: moveOf,
    addedAfterSkill: true,
  },
  {
    name: 'get_collateral_transfers',
    title: 'Get collateral transfers',
    description: 'Past transfers of one type (default 7 days; ≤ 6 months back).',
    method: 'GET',
    path: '/sapi/v1/asset/transfer',
    security: 'USER_DATA',
    weight: weight(1, 'IP'),
    params: () => ({
      type: P.oneOf(TYPES),
      startTime: P.time().optional(),
      endTime: P.time().optional(),
      current: P.int({ min: 1 }).optional(),
      size: P.int({ min: 1, max: 100 }).optional(),
      fromSymbol: P.symbol().optional(),
      toSymbol: P.symbol().optional(),
    }),
    write: false,
    toolset: 'transfer',
    check: all(timeRange(), symbolsFitType),
    addedAfterSkill: true,
  },
];
