/**
 * A loopback stand-in for Binance for client-level tests: the sandbox's wire layer
 * (auth, signatures, recvWindow, weights, faults, recording) with simple echo routes,
 * so a test can see exactly what arrived and what came back.
 */
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
