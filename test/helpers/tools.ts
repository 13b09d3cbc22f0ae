/** The tools that are not Binance endpoints: accounts, the gate, status, and the MCP Apps Confirm button. */
export const NON_ENDPOINT_TOOLS = [
  'list_accounts',
  'show_account',
  'add_account',
  'confirm_action',
  'list_pending_actions',
  'cancel_pending_action',
  'server_status',
  'recent_actions',
  'reconcile_actions',
  'confirm_pending_action_from_app',
];
