/** The wallet's universal transfer, for the margin transfer types only, and its history. */
import type { SandboxExchange } from '../exchange.js';
import { UNIVERSAL_TYPES, type UniversalType } from '../transfers.js';
import { newestFirst, type Add } from './common.js';

const TYPES = Object.keys(UNIVERSAL_TYPES) as UniversalType[];

export function registerTransferRoutes(add: Add, ex: SandboxExchange): void {
  add('POST', 'asset/transfer', 'USER_DATA', 900, 'UID', (p) => {
    // Only the margin types exist here; Binance's other types (futures, funding, options …) are refused as unknown.
    const type = p.reqOneOf('type', TYPES);
    const tranId = ex.transfers.universal(
      p.accountId,
      type,
      p.req('asset'),
      p.reqDecimal('amount'),
      p.optSymbol('fromSymbol'),
      p.optSymbol('toSymbol'),
    );
    return { tranId };
  });
  add('GET', 'asset/transfer', 'USER_DATA', 1, 'IP', (p) => {
    const type = p.reqOneOf('type', TYPES);
    const fromSymbol = p.optSymbol('fromSymbol');
    const toSymbol = p.optSymbol('toSymbol');
    const [from, to] = UNIVERSAL_TYPES[type];
    if (from === 'ISOLATED_MARGIN' && !fromSymbol) p.req('fromSymbol');
    if (to === 'ISOLATED_MARGIN' && !toSymbol) p.req('toSymbol');
    // Without a window, the last 7 days; Binance keeps 6 months.
    const now = ex.now();
    const start = Math.max(p.int('startTime') ?? now - 7 * 86_400_000, now - 183 * 86_400_000);
    const end = p.int('endTime') ?? now;
    const rows = (ex.account(p.accountId).history.universal ?? []).filter(
      (r) =>
        r.type === type &&
        (fromSymbol === undefined || r.fromSymbol === fromSymbol) &&
        (toSymbol === undefined || r.toSymbol === toSymbol) &&
        (r.timestamp as number) >= start &&
        (r.timestamp as number) <= end,
    );
    const { rows: page, total } = p.page(newestFirst(rows, 'timestamp'));
    return { total, rows: page };
  });
}
