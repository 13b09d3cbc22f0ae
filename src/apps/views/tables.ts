/** The margin view's tables of accounts, open orders and open order lists, shown as the tools wrote them. */
import { cell, h, type Json, show } from './common.js';

export function orderTable(orders: Json[], title = 'Open orders') {
  return h(
    'section',
    {},
    h('h2', {}, `${title} (${orders.length})`),
    orders.length
      ? h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Symbol', 'Side', 'Type', 'Price', 'Quantity', 'Filled', 'Status', 'Client id'].map((t) =>
                h('th', {}, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...orders.map((o) => {
              const k = `order:${show(o.orderId)}`;
              return h(
                'tr',
                {},
                cell(`${k}:symbol`, o.symbol, 'txt'),
                cell(`${k}:side`, o.side, `txt side-${show(o.side)}`),
                cell(`${k}:type`, o.type, 'txt'),
                cell(`${k}:price`, o.price),
                cell(`${k}:origQty`, o.origQty),
                cell(`${k}:executedQty`, o.executedQty),
                cell(`${k}:status`, o.status, 'txt'),
                cell(`${k}:clientOrderId`, o.clientOrderId, 'txt mono'),
              );
            }),
          ),
        )
      : h('p', { class: 'muted', 'data-v': 'orders:none' }, 'No open order.'),
  );
}

export function listTable(lists: Json[]) {
  return h(
    'section',
    {},
    h('h2', {}, `Open order lists (${lists.length})`),
    lists.length
      ? h(
          'table',
          {},
          h(
            'thead',
            {},
            h('tr', {}, ...['List id', 'Type', 'Symbol', 'Status', 'Orders', 'Client id'].map((t) => h('th', {}, t))),
          ),
          h(
            'tbody',
            {},
            ...lists.map((l) => {
              const k = `list:${show(l.orderListId)}`;
              const ids = Array.isArray(l.orders) ? (l.orders as Json[]).map((o) => show(o.orderId)).join(', ') : '—';
              return h(
                'tr',
                {},
                cell(`${k}:orderListId`, l.orderListId),
                cell(`${k}:contingencyType`, l.contingencyType, 'txt'),
                cell(`${k}:symbol`, l.symbol, 'txt'),
                cell(`${k}:listOrderStatus`, l.listOrderStatus, 'txt'),
                cell(`${k}:orders`, ids, 'txt'),
                cell(`${k}:listClientOrderId`, l.listClientOrderId, 'txt mono'),
              );
            }),
          ),
        )
      : h('p', { class: 'muted', 'data-v': 'lists:none' }, 'No open order list.'),
  );
}

export function accountList(accounts: Json[]) {
  return h(
    'section',
    {},
    h('h2', {}, 'Accounts'),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Environment'), h('th', {}, 'Description'))),
      h(
        'tbody',
        {},
        ...accounts.map((a) =>
          h(
            'tr',
            {},
            cell(`accounts:${show(a.name)}:name`, a.name, 'txt'),
            cell(`accounts:${show(a.name)}:environment`, a.environment, 'txt'),
            cell(`accounts:${show(a.name)}:description`, a.description ?? '', 'txt'),
          ),
        ),
      ),
    ),
  );
}
