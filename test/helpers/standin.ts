/**
 * A loopback stand-in for Binance for client-level tests: the sandbox's wire layer
 * (auth, signatures, recvWindow, weights, faults, recording) with simple echo routes,
 * so a test can see exactly what arrived and what came back.
 */
import { CATALOG } from '../../src/catalog/index.js';
import { SandboxWire, type SandboxSecurity } from '../../src/sandbox/wire.js';

export interface StandIn {
  wire: SandboxWire;
  url: string;
  close(): Promise<void>;
}

export const ECHO_BODY = (method: string, path: string) => ({
  echo: `${method} ${path}`,
  bigId: '9007199254740993',
  price: '0.00000001',
});

export async function startStandIn(
  routes: { method: string; path: string; security: SandboxSecurity; weight?: number; per?: 'IP' | 'UID' }[],
  opts: ConstructorParameters<typeof SandboxWire>[0] = {},
): Promise<StandIn> {
  const wire = new SandboxWire({ record: true, ...opts });
  for (const r of routes)
    wire.addRoute({
      method: r.method,
      path: r.path,
      security: r.security,
      weight: r.weight ?? 1,
      per: r.per ?? 'IP',
      handle: () => ECHO_BODY(r.method, r.path),
    });
  const url = await wire.listen();
  return { wire, url, close: () => wire.close() };
}

/**
 * A loopback "Mainnet" with a route for every catalog endpoint, that knows one HMAC key and
 * prices BTCUSDT at 60,000 (so a 0.01 BTC order is worth 600 USDT). The caller closes it.
 */
export async function startMainnet(apiKey: string, hmacSecret: string): Promise<StandIn> {
  const standIn = await startStandIn(CATALOG.map((e) => ({ method: e.method, path: e.path, security: e.security })));
  standIn.wire.addKey({ apiKey, accountId: 'main', hmacSecret });
  standIn.wire.addRoute({
    method: 'GET',
    path: '/sapi/v1/margin/priceIndex',
    security: 'MARKET_DATA',
    weight: 10,
    per: 'IP',
    handle: () => ({ calcTime: 1, price: '60000', symbol: 'BTCUSDT' }),
  });
  return standIn;
}
