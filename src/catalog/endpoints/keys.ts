/** Special low-latency API keys, the order-and-balance stream token and the Risk Data Stream. */
import * as P from '../params.js';
import { quoted } from '../phrases.js';
import { weight, type Endpoint } from '../types.js';

const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;
const ips = () => P.upperList(IPV4, 30, 'Up to 30 IPv4');

export const specialKeyEndpoints: Endpoint[] = [
  {
    name: 'create_special_key',
    title: 'Create special key',
    description:
      'New low-latency special key (cross or a pair); publicKey: RSA/Ed25519, else HMAC (secret saved to a file).',
    method: 'POST',
    path: '/sapi/v1/margin/apiKey',
    security: 'TRADE',
    weight: weight(1, 'UID'),
    params: () => ({
      apiName: P.text(64),
      symbol: P.symbol('Omit for cross').optional(),
      ip: ips().optional(),
      publicKey: P.text(4096, 'RSA or Ed25519 (PEM)').optional(),
      permissionMode: P.oneOf(['TRADE', 'READ'], 'Ed25519 only; default TRADE').optional(),
    }),
    write: true,
    toolset: 'special-keys',
    summary: (p, c) =>
      `Create special API key ` +
      `${quoted(p.apiName)}${p.symbol ? ` for isolated ${p.symbol}` : ' for cross margin'}` +
      `${p.publicKey ? ' with the given public key' : ' (HMAC)'}${p.ip ? `, IPs ${p.ip}` : ''} ${c.where}`,
    valuation: 'symbol-only',
    credentialFields: ['apiKey', 'secretKey'],
    oneTimeSecret: { apiKeyField: 'apiKey', secretField: 'secretKey' },
  },
  {
    name: 'delete_special_key',
    title: 'Delete special key',
    description: 'Delete a special key by apiName.',
    method: 'DELETE',
    path: '/sapi/v1/margin/apiKey',
    security: 'TRADE',
    weight: weight(1, 'UID'),
    params: () => ({ apiName: P.text(64).optional(), symbol: P.symbol().optional() }),
    write: true,
    destructive: true,
    toolset: 'special-keys',
    summary: (p, c) =>
      `Delete special API key ` +
      `${p.apiName !== undefined ? quoted(p.apiName) : '(by symbol)'}${p.symbol ? ` of isolated ${p.symbol}` : ''} ` +
      `${c.where}`,
    reducesRisk: () => true,
    valuation: 'none',
  },
  {
    name: 'get_special_key',
    title: 'Get special key',
    description: 'The signing special key: IPs, type, permission.',
    method: 'GET',
    path: '/sapi/v1/margin/apiKey',
    security: 'TRADE',
    weight: weight(1, 'UID'),
    params: () => ({ symbol: P.symbol().optional() }),
    write: false,
    toolset: 'special-keys',
    credentialFields: ['apiKey'],
  },
  {
    name: 'list_special_keys',
    title: 'List special keys',
    description: 'All special keys (masked).',
    method: 'GET',
    path: '/sapi/v1/margin/api-key-list',
    security: 'TRADE',
    weight: weight(1, 'UID'),
    params: () => ({ symbol: P.symbol().optional() }),
    write: false,
    toolset: 'special-keys',
    credentialFields: ['apiKey'],
  },
  {
    name: 'set_special_key_ips',
    title: 'Set special key IPs',
    description: 'Replace the IP whitelist of the signing special key.',
    method: 'PUT',
    path: '/sapi/v1/margin/apiKey/ip',
    security: 'TRADE',
    weight: weight(1, 'UID'),
    params: () => ({ ip: ips(), symbol: P.symbol().optional() }),
    write: true,
    toolset: 'special-keys',
    summary: (p, c) =>
      `Set the special key's IP whitelist to ${p.ip}${p.symbol ? ` (isolated ${p.symbol})` : ''} ${c.where}`,
    valuation: 'none',
  },
  {
    name: 'exit_special_key_mode',
    title: 'Exit special key mode',
    description: 'Delete all special keys; none new for 24 h. Refused while in debt.',
    method: 'POST',
    path: '/sapi/v1/margin/exit-special-key-mode',
    security: 'TRADE',
    weight: weight(10, 'UID'),
    params: () => ({}),
    write: true,
    destructive: true,
    toolset: 'special-keys',
    summary: (_p, c) => `Exit special key mode ${c.where}: deletes all special keys; no new one for 24 h`,
    valuation: 'none',
    addedAfterSkill: true,
  },
];

export const userStreamEndpoints: Endpoint[] = [
  {
    name: 'create_listen_token',
    title: 'Create margin listen token',
    description: 'listenToken for order and balance updates (WebSocket API; ≤ 24 h).',
    method: 'POST',
    path: '/sapi/v1/userListenToken',
    security: 'USER_STREAM',
    weight: weight(1, 'UID'),
    params: () => ({
      symbol: P.symbol('Needed with isIsolated').optional(),
      isIsolated: P.bool(false, 'Isolated pair').optional(),
      validity: P.int({ min: 1, max: 86_400_000, description: 'ms, ≤ 24 h (default)' }).optional(),
    }),
    write: true,
    toolset: 'user-stream',
    ungated: true,
    check: (p) =>
      p.isIsolated === 'true' && p.symbol === undefined
        ? 'isIsolated=true needs symbol (the isolated pair).'
        : undefined,
    summary: (p, c) =>
      `Create a listen token for ${p.isIsolated === 'true' ? `isolated ${p.symbol}` : 'cross margin'} order and ` +
      `balance updates ${c.where}`,
    valuation: 'none',
    addedAfterSkill: true,
  },
  {
    name: 'start_user_stream',
    title: 'Start Risk Data Stream',
    description: 'Risk Data Stream listenKey: margin calls, liability updates (cross; 60 min).',
    method: 'POST',
    path: '/sapi/v1/margin/listen-key',
    security: 'USER_STREAM',
    weight: weight(1, 'UID'),
    params: () => ({}),
    write: true,
    toolset: 'user-stream',
    ungated: true,
    summary: (_p, c) => `Start a Risk Data Stream ${c.where}`,
    valuation: 'none',
  },
  {
    name: 'keepalive_user_stream',
    title: 'Keep Risk Data Stream alive',
    description: 'Extend a Risk Data Stream listenKey by 60 minutes.',
    method: 'PUT',
    path: '/sapi/v1/margin/listen-key',
    security: 'USER_STREAM',
    weight: weight(1, 'UID'),
    params: () => ({ listenKey: P.text(128) }),
    write: true,
    toolset: 'user-stream',
    ungated: true,
    summary: (_p, c) => `Keep the Risk Data Stream alive ${c.where}`,
    valuation: 'none',
  },
  {
    name: 'close_user_stream',
    title: 'Close Risk Data Stream',
    description: "Close the account's Risk Data Stream.",
    method: 'DELETE',
    path: '/sapi/v1/margin/listen-key',
    security: 'USER_STREAM',
    weight: weight(3000, 'UID'),
    // The margin listen key is one per account: Binance's close takes no parameter.
    params: () => ({}),
    write: true,
    destructive: true,
    toolset: 'user-stream',
    ungated: true,
    summary: (_p, c) => `Close the Risk Data Stream ${c.where}`,
    reducesRisk: () => true,
    valuation: 'none',
  },
];
