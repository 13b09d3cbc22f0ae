/**
 * The confirmation card (ui://binance-margin/confirm-card.html), linked from every gated
 * write. It shows the frozen action of a `confirmation_required` result, its summary and
 * its preview (docs/contract.md §9), and two buttons:
 *
 * - Confirm calls the app-only tool confirm_pending_action_from_app with the result's
 *   token: the server redeems that single-use pending action through the same
 *   enforcement point as confirm_action. The press is the user's CONFIRM.
 * - Cancel sends nothing to Binance; it drops the pending action (cancel_pending_action).
 *
 * Both buttons work once: the first press disables both.
 */
import { cell, connect, errorText, h, replace, show, type Connected, type Json, type ToolResult } from './common.js';

export const APP_CONFIRM_TOOL = 'confirm_pending_action_from_app';

const root = document.getElementById('app')!;
let conn: Connected | undefined;

const PREVIEW_LABELS: [string, string][] = [
  ['valueUsdt', 'Value (USDT)'],
  ['priceUsed', 'Price used'],
  ['maxBorrowable', 'Max borrowable'],
  ['nextHourlyInterestRate', 'Next hourly interest rate'],
  ['marginLevel', 'Margin level now'],
  ['marginLevelAfter', 'Margin level after it fills'],
  ['marginCallLevel', 'Margin call at level'],
  ['liquidationLevel', 'Liquidation at level'],
  ['marginCallPrice', 'Index price of margin call'],
  ['liquidationPrice', 'Index price of liquidation'],
];

function status(text: string, cls = 'muted') {
  replace(root, h('p', { class: cls, 'data-v': 'status' }, text));
}

function risk(p: Json): string {
  const after = Number(p.marginLevelAfter),
    call = Number(p.marginCallLevel),
    liq = Number(p.liquidationLevel);
  if (!Number.isFinite(after) || !Number.isFinite(call)) return '';
  return after <= liq ? 'risk-liq' : after <= call ? 'risk-call' : '';
}

async function onResult(result: ToolResult) {
  conn = await ready;
  const s = result.structuredContent ?? {};
  const err = errorText(result);
  if (err) return status(err, 'error');
  if (s.status !== 'confirmation_required') {
    // A write that needed no confirmation (Testnet, Sandbox): it has run already.
    return replace(
      root,
      h('h1', {}, 'Executed'),
      h(
        'p',
        { class: 'muted', 'data-v': 'status' },
        `This ${show(s.endpoint)} on ${show(s.account)} (${show(s.environment)}) needed no confirmation and has run.`,
      ),
    );
  }
  const token = String(s.token);
  const action = (s.action ?? {}) as Json;
  const params = (action.params ?? {}) as Json;
  const preview = (s.preview ?? {}) as Json;
  const borrow = preview.borrow as Json | undefined;
  const leverage = preview.leverage as Json | undefined;
  const unavailable = Array.isArray(preview.unavailable) ? (preview.unavailable as unknown[]) : [];

  const confirmBtn = h('button', { id: 'confirm', class: 'primary', type: 'button' }, 'Confirm');
  const cancelBtn = h('button', { id: 'cancel', type: 'button' }, 'Cancel');
  const outcome = h('div', { id: 'outcome', role: 'status', 'aria-live': 'polite' });
  const expires = h('span', { 'data-v': 'expiresAt' }, show(s.expiresAt));
  const env = show(action.environment);

  const rows = PREVIEW_LABELS.filter(([k]) => preview[k] !== undefined).map(([k, label]) =>
    h('tr', {}, h('th', {}, label), cell(`preview:${k}`, preview[k])),
  );
  if (borrow)
    rows.splice(
      2,
      0,
      h(
        'tr',
        {},
        h('th', {}, 'May borrow'),
        h(
          'td',
          { class: 'num' },
          h('span', { 'data-v': 'preview:borrow:amount' }, show(borrow.amount)),
          ' ',
          h('span', { 'data-v': 'preview:borrow:asset' }, show(borrow.asset)),
          ' of max ',
          h('span', { 'data-v': 'preview:borrow:maxBorrowable' }, show(borrow.maxBorrowable)),
        ),
      ),
    );
  if (leverage)
    rows.push(
      h(
        'tr',
        {},
        h('th', {}, 'Leverage'),
        h(
          'td',
          { class: 'num' },
          h('span', { 'data-v': 'preview:leverage:current' }, show(leverage.current)),
          ' → ',
          h('span', { 'data-v': 'preview:leverage:requested' }, show(leverage.requested)),
        ),
      ),
    );

  replace(
    root,
    h(
      'header',
      {},
      h('h1', {}, 'Confirm this action'),
      h('span', { class: `env env-${env}`, 'data-v': 'action:environment' }, env),
    ),
    h('p', { class: `summary ${risk(preview)}`, 'data-v': 'summary' }, show(s.summary)),
    h(
      'section',
      {},
      h('h2', {}, 'Exactly what will be sent'),
      h(
        'table',
        { class: 'kv' },
        h(
          'tbody',
          {},
          h('tr', {}, h('th', {}, 'Account'), cell('action:account', action.account, 'txt')),
          h('tr', {}, h('th', {}, 'Endpoint'), cell('action:endpoint', action.endpoint, 'txt mono')),
          ...Object.entries(params).map(([k, v]) =>
            h('tr', {}, h('th', { class: 'mono' }, k), cell(`param:${k}`, v, 'txt mono')),
          ),
        ),
      ),
    ),
    rows.length || unavailable.length
      ? h(
          'section',
          {},
          h('h2', {}, 'Preview'),
          rows.length ? h('table', { class: 'kv' }, h('tbody', {}, ...rows)) : null,
          unavailable.length
            ? h(
                'p',
                { class: 'muted small', 'data-v': 'preview:unavailable' },
                `Not available: ${unavailable.map(show).join('; ')}`,
              )
            : null,
        )
      : null,
    h('div', { class: 'buttons' }, confirmBtn, cancelBtn, h('span', { class: 'muted small' }, 'Expires ', expires)),
    outcome,
  );

  let used = false;
  const done = () => {
    used = true;
    confirmBtn.disabled = true;
    cancelBtn.disabled = true;
  };
  confirmBtn.addEventListener('click', async () => {
    if (used) return;
    done();
    replace(outcome, h('p', { class: 'muted' }, 'Sending…'));
    try {
      const r = (await conn!.app.callServerTool({ name: APP_CONFIRM_TOOL, arguments: { token } })) as ToolResult;
      const e = errorText(r);
      if (e) return replace(outcome, h('p', { class: 'error', 'data-v': 'outcome' }, e));
      const rs = (r.structuredContent ?? {}) as Json;
      const data = (rs.data ?? {}) as Json;
      replace(
        outcome,
        h('p', { class: 'ok', 'data-v': 'outcome' }, 'Executed.'),
        h(
          'table',
          { class: 'kv' },
          h(
            'tbody',
            {},
            ...['orderId', 'orderListId', 'status', 'tranId', 'clientOrderId']
              .filter((k) => data[k] !== undefined)
              .map((k) => h('tr', {}, h('th', {}, k), cell(`result:${k}`, data[k], 'txt mono'))),
          ),
        ),
      );
      void tell(
        `The user pressed Confirm on the card: ${show(s.summary)}. It was ` +
          `executed${data.orderId !== undefined ? ` (orderId ${show(data.orderId)})` : ''}.`,
      );
    } catch (err) {
      replace(outcome, h('p', { class: 'error', 'data-v': 'outcome' }, `Not confirmed: ${(err as Error).message}`));
    }
  });
  cancelBtn.addEventListener('click', async () => {
    if (used) return;
    done();
    // Nothing goes to Binance; the pending action is dropped so that no one can redeem it.
    try {
      await conn!.app.callServerTool({ name: 'cancel_pending_action', arguments: { token } });
    } catch {
      // The token expires anyway.
    }
    replace(outcome, h('p', { class: 'muted', 'data-v': 'outcome' }, 'Cancelled. Nothing was sent.'));
    void tell(`The user pressed Cancel on the card: ${show(s.summary)}. Nothing was sent.`);
  });
}

/** Lets the agent know what the user decided, where the host supports it. */
async function tell(text: string) {
  if (!conn?.app.getHostCapabilities()?.updateModelContext) return;
  await conn.app.updateModelContext({ content: [{ type: 'text', text }] }).catch(() => undefined);
}

status('Waiting for the action…');
const ready = connect('binance-confirm-card', (r) => {
  void onResult(r).catch((e: Error) => status(`The card failed: ${e.message}`, 'error'));
});
ready.catch((e: Error) => status(`Could not connect to the host: ${e.message}`, 'error'));
