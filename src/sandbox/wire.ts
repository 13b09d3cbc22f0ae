/**
 * The sandbox's wire layer: an HTTP server on loopback that checks what Binance
 * checks (API key header, signature in all three schemes, timestamp within
 * recvWindow, request weight per minute) and answers in Binance's format. Tests may
 * turn on a recorder (off by default: it keeps headers, so a user's server never
 * records) and script faults. The exchange behind it (exchange.ts)
 * registers one route per endpoint; this file knows nothing of margin.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  BinanceReject,
  type SandboxKey,
  type RouteContext,
  type Route,
  type RecordedRequest,
  type Fault,
  type ScriptedFault,
  type WireOptions,
} from './wire-types.js';

export * from './wire-types.js';

export class SandboxWire {
  /** What arrived, while `recording` is on. */
  readonly requests: RecordedRequest[] = [];
  /** Tests turn this on; off, nothing of a request is kept. */
  recording: boolean;
  private readonly keys = new Map<string, SandboxKey>();
  private readonly routes = new Map<string, Route>();
  private readonly faults: ScriptedFault[] = [];
  private server: Server | undefined;
  private ipWindow = { minute: 0, used: 0 };
  private uidWindows = new Map<string, { minute: number; used: number }>();
  private tooManyCount = 0;
  private bannedUntil = 0;
  private readonly hanging = new Set<ServerResponse>();
  clockSkewMs: number;
  ipWeightLimit: number;
  uidWeightLimit: number;
  /** Counters for benchmarks and tests. */
  readonly stats = { requests: 0, tooMany: 0, banned: 0 };

  constructor(private readonly opts: WireOptions = {}) {
    this.recording = opts.record ?? false;
    this.clockSkewMs = opts.clockSkewMs ?? 0;
    this.ipWeightLimit = opts.ipWeightLimit ?? 12_000;
    this.uidWeightLimit = opts.uidWeightLimit ?? 180_000;
  }

  now(): number {
    return Date.now() + this.clockSkewMs;
  }

  addKey(key: SandboxKey): void {
    this.keys.set(key.apiKey, key);
  }

  /** Registers an RSA or Ed25519 public key (PEM) for an API key. */
  addPublicKey(apiKey: string, accountId: string, publicKeyPem: string): void {
    this.keys.set(apiKey, { apiKey, accountId, publicKey: createPublicKey(publicKeyPem) });
  }

  /** Forgets an API key (a deleted special key); later requests with it get -2015. */
  removeKey(apiKey: string): boolean {
    return this.keys.delete(apiKey);
  }

  addRoute(route: Route): void {
    this.routes.set(`${route.method} ${route.path}`, route);
  }

  hasRoute(method: string, path: string): boolean {
    return this.routes.has(`${method} ${path}`);
  }

  inject(fault: ScriptedFault): void {
    this.faults.push({ times: 1, ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests to one endpoint, for assertions. */
  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('sandbox not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    const record: RecordedRequest = {
      method,
      path,
      rawQuery,
      body,
      params: {},
      headers: req.headers,
      time: Date.now(),
    };
    try {
      record.params = decodeParams(rawQuery, body);
    } catch {
      return this.send(res, 400, { code: -1100, msg: 'Illegal characters found in a parameter.' });
    }
    this.stats.requests++;
    if (this.recording) {
      this.requests.push(record);
      const limit = this.opts.recordLimit ?? 5000;
      if (this.requests.length > limit) this.requests.splice(0, this.requests.length - limit);
    }

    if (path === '/api/v3/time' && method === 'GET') return this.send(res, 200, { serverTime: this.now() });

    const fault = this.takeFault(record);
    if (fault && !fault.afterExecute) return this.applyFault(fault.fault, res);

    const route = this.routes.get(`${method} ${path}`);
    if (!route) return this.send(res, 404, { code: -1000, msg: `Unknown endpoint ${method} ${path}.` });

    const headers: Record<string, string> = {};
    const status = 200;
    let payload: unknown;
    try {
      if (Date.now() < this.bannedUntil) {
        this.stats.banned++;
        throw Object.assign(
          new BinanceReject(-1003, `Way too much request weight used; IP banned until ${this.bannedUntil}.`, 418),
          {
            retryAfter: Math.ceil((this.bannedUntil - Date.now()) / 1000),
          },
        );
      }
      const ctx = this.authenticate(route, record);
      this.chargeWeight(route, ctx, headers);
      payload = route.handle(ctx);
    } catch (err) {
      if (err instanceof BinanceReject) {
        const retryAfter = (err as BinanceReject & { retryAfter?: number }).retryAfter;
        if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
        return this.send(res, err.httpStatus, { code: err.code, msg: err.message }, headers);
      }
      return this.send(
        res,
        500,
        { code: -1000, msg: `An unknown error occurred while processing the request. (${(err as Error).message})` },
        headers,
      );
    }
    if (fault?.afterExecute) return this.applyFault(fault.fault, res);
    this.send(res, status, payload, headers);
  }

  private takeFault(record: RecordedRequest): ScriptedFault | undefined {
    const i = this.faults.findIndex((f) => (f.match ? f.match(record) : record.path !== '/api/v3/time'));
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private applyFault(fault: Fault, res: ServerResponse): void {
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/html', ...fault.headers });
        res.end(fault.body ?? '<html><body>error</body></html>');
        return;
      case 'binance':
        this.send(res, fault.status ?? 400, { code: fault.code, msg: fault.msg });
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'hang':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"not json');
        return;
      case 'too-many':
        this.stats.tooMany++;
        this.send(
          res,
          429,
          { code: -1003, msg: 'Too much request weight used; current limit is 12000 request weight per 1 MINUTE.' },
          { 'retry-after': String(fault.retryAfter) },
        );
        return;
      case 'ban':
        this.stats.banned++;
        this.send(
          res,
          418,
          { code: -1003, msg: 'Way too much request weight used; IP banned.' },
          { 'retry-after': String(fault.retryAfter) },
        );
        return;
    }
  }

  private authenticate(route: Route, record: RecordedRequest): RouteContext {
    const now = this.now();
    const params = { ...record.params };
    const ctx: RouteContext = { method: record.method, path: record.path, params, now };
    if (route.security === 'NONE') return ctx;
    const apiKeyHeader = record.headers['x-mbx-apikey'];
    const apiKey = Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader;
    if (!apiKey) throw new BinanceReject(-2014, 'API-key format invalid.', 401);
    const key = this.keys.get(apiKey);
    if (!key) throw new BinanceReject(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
    ctx.apiKey = apiKey;
    ctx.accountId = key.accountId;
    if (route.security === 'MARKET_DATA' || route.security === 'USER_STREAM') return ctx;

    // Signed: the payload is the query string followed directly by the body, minus the signature.
    const full = record.body ? (record.rawQuery ? record.rawQuery + record.body : record.body) : record.rawQuery;
    const m = /(^|&)signature=([^&]*)$/.exec(full);
    if (!m) {
      if (!params.signature)
        throw new BinanceReject(-1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
      throw new BinanceReject(-1022, 'Signature for this request is not valid.');
    }
    const payload = full.slice(0, m.index);
    const signature = safeDecode(m[2]);
    if (!verifySignature(key, payload, signature))
      throw new BinanceReject(-1022, 'Signature for this request is not valid.');
    delete params.signature;

    if (params.timestamp === undefined)
      throw new BinanceReject(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    const timestamp = Number(params.timestamp);
    const recvWindow = params.recvWindow === undefined ? 5000 : Number(params.recvWindow);
    if (!Number.isFinite(recvWindow) || recvWindow <= 0 || recvWindow > 60_000)
      throw new BinanceReject(-1131, 'recvWindow must be less than 60000');
    if (!Number.isFinite(timestamp))
      throw new BinanceReject(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
    if (timestamp >= now + 1000)
      throw new BinanceReject(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
    if (now - timestamp > recvWindow)
      throw new BinanceReject(-1021, 'Timestamp for this request is outside of the recvWindow.');
    delete params.timestamp;
    delete params.recvWindow;
    return ctx;
  }

  private chargeWeight(route: Route, ctx: RouteContext, headers: Record<string, string>): void {
    const weight = typeof route.weight === 'function' ? route.weight(ctx.params) : route.weight;
    const minute = Math.floor(this.now() / 60_000);
    if (this.ipWindow.minute !== minute) {
      this.ipWindow = { minute, used: 0 };
      this.tooManyCount = 0;
    }
    const uidKey = ctx.accountId ?? '-';
    let uid = this.uidWindows.get(uidKey);
    if (!uid || uid.minute !== minute) this.uidWindows.set(uidKey, (uid = { minute, used: 0 }));
    const window = route.per === 'IP' ? this.ipWindow : uid;
    const limit = route.per === 'IP' ? this.ipWeightLimit : this.uidWeightLimit;
    if (window.used + weight > limit) {
      this.tooManyCount++;
      // Binance reports the weight used so far on a refusal too.
      headers['x-sapi-used-ip-weight-1m'] = String(this.ipWindow.used);
      if (ctx.accountId) headers['x-sapi-used-uid-weight-1m'] = String(uid.used);
      const retryAfter = Math.max(1, Math.ceil(((minute + 1) * 60_000 - this.now()) / 1000));
      if (this.tooManyCount > 10) {
        this.bannedUntil = Date.now() + 120_000;
        this.stats.banned++;
        throw Object.assign(new BinanceReject(-1003, 'Way too much request weight used; IP banned.', 418), {
          retryAfter: 120,
        });
      }
      this.stats.tooMany++;
      throw Object.assign(
        new BinanceReject(
          -1003,
          `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE.`,
          429,
        ),
        { retryAfter },
      );
    }
    window.used += weight;
    headers['x-sapi-used-ip-weight-1m'] = String(this.ipWindow.used);
    if (ctx.accountId) headers['x-sapi-used-uid-weight-1m'] = String(uid.used);
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body ?? {});
    res.writeHead(status, {
      'content-type': 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function decodeParams(rawQuery: string, body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of [rawQuery, body]) {
    if (!part) continue;
    for (const pair of part.split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const name = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
      out[name] = value;
    }
  }
  return out;
}

function verifySignature(key: SandboxKey, payload: string, signature: string): boolean {
  if (key.hmacSecret !== undefined) {
    const expected = createHmac('sha256', key.hmacSecret).update(payload, 'utf8').digest('hex');
    const given = signature.toLowerCase();
    return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  }
  if (!key.publicKey) return false;
  const sig = Buffer.from(signature, 'base64');
  const algorithm = key.publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  try {
    return cryptoVerify(algorithm, Buffer.from(payload, 'utf8'), key.publicKey, sig);
  } catch {
    return false;
  }
}
