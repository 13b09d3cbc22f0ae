/**
 * The margin view (ui://binance-margin/margin-view.html): the margin level against
 * Binance's thresholds as a gauge, the assets with free / borrowed / interest / net, the
 * open orders and order lists, and the debts by value.
 *
 * It opens on the result of list_accounts, show_account, get_cross_margin_account or
 * get_isolated_account, and reads the rest through the host with read-only tools only
 * (get_cross_margin_account, get_margin_level_thresholds, get_open_orders,
 * get_open_order_lists, get_isolated_account, get_price_index). Every figure is shown as
 * the tool result wrote it; the only computed figures are the debts' USDT values and the
 * gauge's position, both labelled as estimates.
 */
import { VIEW_READS } from '../../catalog/view-reads.js';
import {
  cell,
  connect,
  errorText,
  h,
  replace,
  show,
  svg,
  type Connected,
  type Json,
  type ToolResult,
} from './common.js';
import { accountList, listTable, orderTable } from './tables.js';

const root = document.getElementById('app')!;
let conn: Connected | undefined;
let current: { account?: string; isolatedSymbol?: string } = {};

interface AssetRow {
  asset: string;
  free: string;
  locked: string;
  borrowed: string;
  interest: string;
  netAsset: string;
}

function status(text: string, cls = 'muted') {
  replace(root, h('p', { class: cls, 'data-v': 'status' }, text));
}

async function onResult(result: ToolResult) {
  conn = await ready;
  const s = result.structuredContent ?? {};
  const err = errorText(result);
  if (err) return status(err, 'error');
  // Which account: list_accounts gives a list, show_account a name, the endpoint tools `account`.
  const accounts = Array.isArray(s.accounts) ? (s.accounts as Json[]) : undefined;
  const account =
    typeof s.account === 'string'
      ? s.account
      : typeof s.name === 'string'
        ? s.name
        : accounts?.[0]
          ? String(accounts[0].name)
          : undefined;
  const data = s.data as Json | undefined;
  const isolated = data && Array.isArray(data.assets) ? (data.assets as Json[]) : undefined;
  current = { account, isolatedSymbol: isolated?.length === 1 ? String(isolated[0].symbol) : undefined };
  await render(accounts, data && Array.isArray(data.userAssets) ? s : undefined, isolated);
}

/** `cross`: a get_cross_margin_account result the host already gave (its structuredContent). */
async function render(accounts: Json[] | undefined, cross: Json | undefined, isolated: Json[] | undefined) {
  const { read } = conn!;
  const acct = current.account ? { account: current.account } : {};
  status('Reading the account…');
  const settle = <T>(p: Promise<T>) =>
    p.then(
      (v) => ({ ok: true as const, v }),
      (e: Error) => ({ ok: false as const, e: e.message }),
    );
  const [crossR, barsR, ordersR, listsR] = await Promise.all([
    cross ? Promise.resolve({ ok: true as const, v: cross }) : settle(read(VIEW_READS.crossAccount, acct)),
    settle(read(VIEW_READS.thresholds, acct)),
    settle(read(VIEW_READS.openOrders, acct)),
    settle(read(VIEW_READS.openOrderLists, acct)),
  ]);
  const isoR = isolated ? { ok: true as const, v: { data: { assets: isolated } } as Json } : undefined;
  const crossData = crossR.ok ? (crossR.v.data as Json) : undefined;
  const bars = barsR.ok ? (barsR.v.data as Json) : undefined;
  const env = crossR.ok ? show(crossR.v.environment) : undefined;

  const sections: Node[] = [];
  sections.push(
    h(
      'header',
      {},
      h('h1', {}, 'Margin account'),
      h('span', { class: 'who', 'data-v': 'account' }, current.account ?? 'main'),
      env ? h('span', { class: `env env-${env}`, 'data-v': 'environment' }, env) : null,
    ),
  );
  if (accounts) sections.push(accountList(accounts));
  // Opened on isolated pairs: they come first, the cross account after them.
  if (isoR)
    for (const pair of (isoR.v.data as { assets: Json[] }).assets.slice(0, 5)) {
      sections.push(isolatedPair(pair, bars));
      const symbol = show(pair.symbol);
      const orders = await settle(read(VIEW_READS.openOrders, { ...acct, isIsolated: 'TRUE', symbol }));
      sections.push(
        orders.ok
          ? orderTable((orders.v.data as Json[]) ?? [], `Open orders, isolated ${symbol}`)
          : h('p', { class: 'muted' }, `Open orders, isolated ${symbol}: ${orders.e}`),
      );
    }
  if (crossData) {
    sections.push(gauge('Cross margin level', 'cross', crossData.marginLevel, bars));
    sections.push(totals(crossData));
    sections.push(assetTable((crossData.userAssets as AssetRow[]) ?? []));
    sections.push(await debts((crossData.userAssets as AssetRow[]) ?? []));
  } else if (!crossR.ok)
    sections.push(h('p', { class: 'error', 'data-v': 'cross-error' }, `Cross margin account: ${crossR.e}`));
  sections.push(
    ordersR.ok ? orderTable((ordersR.v.data as Json[]) ?? []) : h('p', { class: 'muted' }, `Open orders: ${ordersR.e}`),
  );
  sections.push(
    listsR.ok
      ? listTable((listsR.v.data as Json[]) ?? [])
      : h('p', { class: 'muted' }, `Open order lists: ${listsR.e}`),
  );
  if (!barsR.ok) sections.push(h('p', { class: 'muted' }, `Thresholds: ${barsR.e}`));
  replace(root, ...sections);
}

/**
 * The level on a scale from 1 to 3 (Binance shows 999 without debt: the marker sits at the
 * right end), bands at the liquidation, margin-call and normal bars.
 */
function gauge(title: string, key: string, level: unknown, bars: Json | undefined) {
  const lo = 1,
    hi = 3,
    w = 600,
    bh = 18;
  const x = (v: number) => ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * w;
  const liq = Number(bars?.forceLiquidationBar),
    call = Number(bars?.marginCallBar),
    normal = Number(bars?.normalBar);
  const lv = Number(level);
  const g = svg('svg', {
    viewBox: `0 -4 ${w} ${bh + 42}`,
    class: 'gauge',
    role: 'img',
    'aria-label': `${title} ${show(level)}`,
  });
  const band = (from: number, to: number, cls: string) =>
    g.append(svg('rect', { x: x(from), y: 0, width: Math.max(0, x(to) - x(from)), height: bh, class: cls }));
  if (bars) {
    band(lo, liq, 'band-liq');
    band(liq, call, 'band-call');
    band(call, normal, 'band-warn');
    band(normal, hi, 'band-ok');
    // Two rows of labels: the bars sit close together on the scale.
    for (const [v, label, row] of [
      [liq, `liquidation ${show(bars.forceLiquidationBar)}`, 0],
      [call, `margin call ${show(bars.marginCallBar)}`, 1],
    ] as const) {
      g.append(svg('line', { x1: x(v), x2: x(v), y1: -2, y2: bh + 4 + row * 13, class: 'tick' }));
      const t = svg('text', { x: x(v) + 4, y: bh + 13 + row * 13, class: 'ticklabel' });
      t.textContent = label;
      g.append(t);
    }
  } else band(lo, hi, 'band-none');
  if (Number.isFinite(lv))
    g.append(
      svg('path', { d: `M ${x(lv)} ${bh + 1} l -6 10 h 12 z`, class: 'marker' }),
      svg('rect', { x: x(lv) - 1.5, y: -3, width: 3, height: bh + 5, class: 'marker' }),
    );
  const state =
    !bars || !Number.isFinite(lv)
      ? ''
      : lv <= liq
        ? 'at liquidation'
        : lv <= call
          ? 'at margin call'
          : lv <= normal
            ? 'below normal'
            : 'healthy';
  return h(
    'section',
    { class: 'gauge-box' },
    h(
      'div',
      { class: 'level' },
      h('span', { class: 'label' }, title),
      h('span', { class: 'big', 'data-v': `${key}:marginLevel` }, show(level)),
      state ? h('span', { class: `state state-${state.replace(/ /g, '-')}` }, state) : null,
    ),
    g,
    bars
      ? h(
          'p',
          { class: 'muted small' },
          'Bars: normal ',
          h('span', { 'data-v': 'bars:normalBar' }, show(bars.normalBar)),
          ', margin call ',
          h('span', { 'data-v': 'bars:marginCallBar' }, show(bars.marginCallBar)),
          ', liquidation ',
          h('span', { 'data-v': 'bars:forceLiquidationBar' }, show(bars.forceLiquidationBar)),
          '. The scale runs from 1 to 3; 999 means no debt.',
        )
      : null,
  );
}

function totals(d: Json) {
  const item = (label: string, k: string) =>
    h(
      'div',
      { class: 'total' },
      h('span', { class: 'label' }, label),
      h('span', { class: 'num', 'data-v': `cross:${k}` }, show(d[k])),
    );
  return h(
    'section',
    { class: 'totals' },
    item('Assets (BTC)', 'totalAssetOfBtc'),
    item('Liabilities (BTC)', 'totalLiabilityOfBtc'),
    item('Net (BTC)', 'totalNetAssetOfBtc'),
  );
}

const nonZero = (r: AssetRow) => [r.free, r.locked, r.borrowed, r.interest, r.netAsset].some((v) => Number(v) !== 0);

function assetTable(rows: AssetRow[]) {
  const shown = rows.filter(nonZero);
  return h(
    'section',
    {},
    h('h2', {}, 'Assets'),
    shown.length
      ? h(
          'table',
          {},
          h(
            'thead',
            {},
            h('tr', {}, ...['Asset', 'Free', 'Locked', 'Borrowed', 'Interest', 'Net'].map((t) => h('th', {}, t))),
          ),
          h(
            'tbody',
            {},
            ...shown.map((r) =>
              h(
                'tr',
                {},
                cell(`asset:${r.asset}:asset`, r.asset, 'txt'),
                cell(`asset:${r.asset}:free`, r.free),
                cell(`asset:${r.asset}:locked`, r.locked),
                cell(`asset:${r.asset}:borrowed`, r.borrowed),
                cell(`asset:${r.asset}:interest`, r.interest),
                cell(`asset:${r.asset}:netAsset`, r.netAsset),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No asset with a balance or a debt.'),
  );
}

/** Debts (borrowed + interest) valued at Binance's price index of ASSETUSDT, largest first. */
async function debts(rows: AssetRow[]) {
  const owed = rows.filter((r) => Number(r.borrowed) + Number(r.interest) > 0);
  const box = h('section', {}, h('h2', {}, 'Debts by value'));
  if (!owed.length) {
    box.append(h('p', { class: 'muted', 'data-v': 'debts:none' }, 'No debt.'));
    return box;
  }
  const priced = await Promise.all(
    owed.map(async (r) => {
      const amount = Number(r.borrowed) + Number(r.interest);
      if (r.asset === 'USDT') return { r, amount, price: '1', value: amount };
      try {
        const p = (
          await conn!.read(VIEW_READS.priceIndex, {
            symbol: `${r.asset}USDT`,
            ...(current.account ? { account: current.account } : {}),
          })
        ).data as Json;
        return { r, amount, price: show(p.price), value: amount * Number(p.price) };
      } catch {
        return { r, amount, price: undefined, value: NaN };
      }
    }),
  );
  priced.sort((a, b) => (Number.isFinite(b.value) ? b.value : -1) - (Number.isFinite(a.value) ? a.value : -1));
  const total = priced.reduce((t, p) => t + (Number.isFinite(p.value) ? p.value : 0), 0);
  const max = Math.max(...priced.map((p) => (Number.isFinite(p.value) ? p.value : 0)), 1e-12);
  box.append(
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Asset', 'Borrowed', 'Interest', 'Price index (USDT)', '≈ Value (USDT)', ''].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        ...priced.map((p) => {
          const bar = svg(
            'svg',
            { viewBox: '0 0 100 8', class: 'debtbar', preserveAspectRatio: 'none' },
            svg('rect', {
              x: 0,
              y: 0,
              height: 8,
              width: Number.isFinite(p.value) ? Math.max(1, (p.value / max) * 100) : 0,
            }),
          );
          return h(
            'tr',
            {},
            cell(`debt:${p.r.asset}:asset`, p.r.asset, 'txt'),
            cell(`debt:${p.r.asset}:borrowed`, p.r.borrowed),
            cell(`debt:${p.r.asset}:interest`, p.r.interest),
            cell(`debt:${p.r.asset}:price`, p.price ?? 'unavailable'),
            cell(`debt:${p.r.asset}:valueUsdt`, Number.isFinite(p.value) ? p.value.toFixed(2) : 'unavailable'),
            h('td', { class: 'barcell' }, bar),
          );
        }),
      ),
      h(
        'tfoot',
        {},
        h(
          'tr',
          {},
          h('td', {}, 'Total'),
          h('td', {}),
          h('td', {}),
          h('td', {}),
          cell('debts:totalUsdt', total.toFixed(2)),
          h('td', {}),
        ),
      ),
    ),
  );
  return box;
}

function isolatedPair(pair: Json, bars: Json | undefined) {
  const sym = show(pair.symbol);
  const side = (s: Json | undefined) => (s ? (s as unknown as AssetRow) : undefined);
  const rows = [side(pair.baseAsset as Json), side(pair.quoteAsset as Json)].filter((r): r is AssetRow => !!r);
  return h(
    'section',
    {},
    h('h2', {}, `Isolated ${sym}`),
    gauge(`${sym} margin level`, `isolated:${sym}`, pair.marginLevel, bars),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h('tr', {}, ...['Asset', 'Free', 'Locked', 'Borrowed', 'Interest', 'Net'].map((t) => h('th', {}, t))),
      ),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            {},
            cell(`isolated:${sym}:${r.asset}:asset`, r.asset, 'txt'),
            cell(`isolated:${sym}:${r.asset}:free`, r.free),
            cell(`isolated:${sym}:${r.asset}:locked`, r.locked),
            cell(`isolated:${sym}:${r.asset}:borrowed`, r.borrowed),
            cell(`isolated:${sym}:${r.asset}:interest`, r.interest),
            cell(`isolated:${sym}:${r.asset}:netAsset`, r.netAsset),
          ),
        ),
      ),
    ),
  );
}

status('Waiting for the account…');
const ready = connect(
  'binance-margin-view',
  (r) => void onResult(r).catch((e: Error) => status(`The view failed: ${e.message}`, 'error')),
);
ready.catch((e: Error) => status(`Could not connect to the host: ${e.message}`, 'error'));
