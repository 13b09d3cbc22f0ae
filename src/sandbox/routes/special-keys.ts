/** Special low-latency API keys. */
import { errors } from '../errors.js';
import type { SandboxExchange } from '../exchange.js';
import type { Add } from './common.js';

export function registerSpecialKeyRoutes(add: Add, ex: SandboxExchange): void {
  add('POST', 'margin/apiKey', 'TRADE', 1, 'UID', (p) => {
    const key = ex.keys.createSpecialKey(p.accountId, {
      apiName: p.req('apiName'),
      symbol: p.optSymbol(),
      ip: p.list('ip')?.join(','),
      publicKey: p.opt('publicKey'),
      permissionMode: p.oneOf('permissionMode', ['TRADE', 'READ'] as const),
    });
    return key.secretKey
      ? { apiKey: key.apiKey, secretKey: key.secretKey, type: key.type }
      : { apiKey: key.apiKey, type: key.type };
  });
  add('GET', 'margin/apiKey', 'TRADE', 1, 'UID', (p, ctx) => {
    const key = ex.keys.findSpecialKey(p.accountId, { requestKey: ctx.apiKey, symbol: p.optSymbol() });
    return { apiKey: key.apiKey, ip: key.ip, apiName: key.apiName, type: key.type, permissionMode: key.permissionMode };
  });
  add('DELETE', 'margin/apiKey', 'TRADE', 1, 'UID', (p, ctx) => {
    const key = ex.keys.findSpecialKey(p.accountId, {
      apiName: p.opt('apiName'),
      requestKey: ctx.apiKey,
      symbol: p.optSymbol(),
    });
    ex.keys.deleteSpecialKey(p.accountId, key);
    return {};
  });
  add('PUT', 'margin/apiKey/ip', 'TRADE', 1, 'UID', (p, ctx) => {
    const ips = p.list('ip') ?? [];
    if (ips.length === 0) throw errors.mandatory('ip');
    if (ips.length > 30 || ips.some((ip) => !/^[0-9a-fA-F.:/]+$/.test(ip))) throw errors.invalidParam('ip');
    ex.keys.findSpecialKey(p.accountId, { requestKey: ctx.apiKey, symbol: p.optSymbol() }).ip = ips.join(',');
    return {};
  });
  add('GET', 'margin/api-key-list', 'TRADE', 1, 'UID', (p) =>
    ex.keys
      .specialKeys(p.accountId, p.optSymbol())
      .map((k) => ({ apiName: k.apiName, apiKey: k.apiKey, ip: k.ip, type: k.type, permissionMode: k.permissionMode })),
  );
  add('POST', 'margin/exit-special-key-mode', 'TRADE', 10, 'UID', (p) => {
    ex.keys.exitSpecialKeyMode(p.accountId);
    return {};
  });
}
