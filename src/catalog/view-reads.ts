/**
 * The reads the MCP Apps views make through the host (src/apps/views), by what they are
 * for, like SAFETY_READS for the rails: the views name a role, never a tool. It imports
 * nothing, so that the views can bundle it for the browser; test/apps.test.ts checks that
 * each names a read endpoint (a view never writes).
 */
export const VIEW_READS = {
  crossAccount: 'get_cross_margin_account',
  isolatedAccount: 'get_isolated_account',
  thresholds: 'get_margin_level_thresholds',
  openOrders: 'get_open_orders',
  openOrderLists: 'get_open_order_lists',
  priceIndex: 'get_price_index',
} as const;

/** The endpoint tools whose results open the margin view (besides list_accounts and show_account). */
export const MARGIN_VIEW_ENDPOINTS: readonly string[] = [VIEW_READS.crossAccount, VIEW_READS.isolatedAccount];
