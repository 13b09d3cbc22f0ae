/** The tools that are not Binance endpoints, as a client lists them: accounts, the gate, status. */
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
];

/** Listed only for a client that renders MCP Apps (`visibility: ["app"]`): the confirmation card's Confirm button. */
export const APP_ONLY_TOOLS = ['confirm_pending_action_from_app'];
