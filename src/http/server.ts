/**
 * MCP over Streamable HTTP at `/mcp` (issue 19), for both protocol generations,
 * through the official SDK's HTTP entry points; nothing here speaks the transport:
 *
 * - 2026-07-28 requests (the per-request `_meta` envelope): `createMcpHandler`, one
 *   server instance per request from the factory of src/server.ts, no session;
 * - 2025 requests (`initialize`, then `Mcp-Session-Id`): a session per client, each
 *   a `WebStandardStreamableHTTPServerTransport` with one instance from the same
 *   factory, routed with the SDK's own `isLegacyRequest`, as its documentation shows;
 * - `toNodeHandler` (@modelcontextprotocol/node) adapts that fetch face to node:http.
 *
 * In front of it, for every request, in this order: the Host and Origin headers
 * against an allowlist (DNS rebinding), the bearer token (401 with
 * `WWW-Authenticate` and nothing else), the path, the client's number of requests in
 * flight, and the body size (1 MiB). Slow clients time out while sending their
 * request (headers 10 s, whole request 30 s).
 *
 * Every client shares the one ServerHandle: one request-weight budget per Binance
 * host, one journal, one gate, the account locks, the kill switch and the daily cap.
 * The authenticated principal (the token's name) reaches the factory as
 * `authInfo.clientId`; pending actions, sealed states and 2025 sessions are bound to
 * it. A client that goes away mid-call loses nothing: the call's promise is not tied
 * to the HTTP exchange, so a write in flight completes and is journaled.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  bearerAuthChallengeResponse,
  createMcpHandler,
  isLegacyRequest,
  localhostAllowedHostnames,
  OAuthError,
  OAuthErrorCode,
  validateHostHeader,
  validateOriginHeader,
  verifyBearerToken,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type McpServerFactory,
} from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { HttpConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { ServerHandle } from '../server.js';
import { corsFor } from './cors.js';
import { OAuthResourceServer } from './oauth.js';
import { loadTokens, type TokenSet } from './tokens.js';

export interface HttpLimits {
  /** Largest request body (bytes). */
  maxBodyBytes: number;
  /** Requests one client (principal) may have in flight at once; more are answered 429. */
  maxConcurrentPerClient: number;
  /** How long a client may take to send its request headers, and its whole request. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** A 2025 session unused this long is closed. */
  sessionIdleMs: number;
  /** 2025 sessions one client may hold; a new one closes its least recently used. */
  maxSessionsPerClient: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  maxBodyBytes: 1024 * 1024,
  maxConcurrentPerClient: 8,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  sessionIdleMs: 30 * 60_000,
  maxSessionsPerClient: 16,
};

export interface HttpServerHandle {
  /** http://HOST:PORT/mcp */
  url: string;
  port: number;
  tokens: TokenSet;
  /** OAuth resource-server mode, when configured. */
  oauth?: OAuthResourceServer;
  /** Open 2025 sessions. */
  readonly sessions: number;
  /** No new connection or request from now on (answered 503); requests in flight go on. */
  stopAccepting(): void;
  /** Closes every session and connection. */
  close(): Promise<void>;
}

/** A JSON-RPC error answer outside any request (`id: null`). */
const rpcError = (status: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }, { status, headers });

const formatHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

interface LegacySession {
  id: string;
  principal: string;
  transport: WebStandardStreamableHTTPServerTransport;
  close(): Promise<void>;
  lastSeen: number;
  active: number;
}

/** 2025-era sessions, each bound to the principal that opened it. */
class LegacySessions {
  private readonly byId = new Map<string, LegacySession>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly factory: McpServerFactory,
    private readonly limits: HttpLimits,
    private readonly log: Logger,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1_000, limits.sessionIdleMs / 2)));
    this.sweeper.unref();
  }

  get size(): number {
    return this.byId.size;
  }

  async handle(request: Request, authInfo: AuthInfo): Promise<Response> {
    const principal = authInfo.clientId;
    const id = request.headers.get('mcp-session-id');
    if (id) {
      const session = this.byId.get(id);
      // Another principal's session is as unknown to this client as one that never existed.
      if (!session || session.principal !== principal) return rpcError(404, 'Session not found');
      session.lastSeen = Date.now();
      session.active++;
      try {
        return await session.transport.handleRequest(request, { authInfo });
      } finally {
        session.active--;
        session.lastSeen = Date.now();
      }
    }
    if (request.method !== 'POST') return rpcError(400, 'Bad Request: Mcp-Session-Id header is required');
    // A new session; the transport answers anything but `initialize` with an error, and then nothing is kept.
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: this.limits.maxBodyBytes,
      onsessioninitialized: (sid) => {
        this.evictOverCap(principal);
        this.byId.set(sid, session(sid));
        this.log.info({ client: principal, sessions: this.byId.size }, 'http: 2025 session opened');
      },
      onsessionclosed: (sid) => void this.drop(sid, 'closed by the client'),
    });
    const server = await this.factory({ era: 'legacy', authInfo, requestInfo: request });
    const session = (sid: string): LegacySession => ({
      id: sid,
      principal,
      transport,
      close: () => server.close(),
      lastSeen: Date.now(),
      active: 0,
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request, { authInfo });
    if (!transport.sessionId) await server.close().catch(() => undefined);
    return response;
  }

  async drop(id: string, why: string): Promise<void> {
    const s = this.byId.get(id);
    if (!s) return;
    this.byId.delete(id);
    this.log.info({ client: s.principal, why, sessions: this.byId.size }, 'http: 2025 session ended');
    await s.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.byId.keys()].map((id) => this.drop(id, 'server shutting down')));
  }

  private evictOverCap(principal: string): void {
    const mine = [...this.byId.values()]
      .filter((s) => s.principal === principal)
      .sort((a, b) => a.lastSeen - b.lastSeen);
    for (const s of mine.slice(0, Math.max(0, mine.length - this.limits.maxSessionsPerClient + 1)))
      void this.drop(s.id, 'too many sessions of this client: the least recently used is closed');
  }

  private sweep(): void {
    const now = Date.now();
    for (const s of this.byId.values())
      if (s.active === 0 && now - s.lastSeen > this.limits.sessionIdleMs) void this.drop(s.id, 'idle');
  }
}

export async function startHttpServer(
  mcpServer: Pick<ServerHandle, 'factory' | 'toolCallsRunning' | 'announceToolListChangesWith'>,
  http: HttpConfig,
  stateDir: string,
  log: Logger,
  overrides: Partial<HttpLimits> = {},
): Promise<HttpServerHandle> {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  const oauth = http.oauth ? new OAuthResourceServer(http.oauth, log) : undefined;
  const tokens = loadTokens(http.tokens, stateDir, { generate: !oauth });
  const wildcard = http.host === '0.0.0.0' || http.host === '::';
  const allowedHosts = [
    ...new Set([
      ...localhostAllowedHostnames(),
      ...(wildcard ? [] : [formatHost(http.host).toLowerCase()]),
      ...http.allowedHosts,
    ]),
  ];

  const verifier = {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const name = tokens.principalOf(token);
      // The token itself goes no further than this check.
      if (name !== undefined)
        return { token: '', clientId: name, scopes: [], expiresAt: Math.floor(Date.now() / 1000) + 3600 };
      if (oauth && token.includes('.')) return oauth.verify(token);
      throw new OAuthError(OAuthErrorCode.InvalidToken, 'Invalid token');
    },
  };

  const onerror = (err: Error) => log.debug({ err: err.message }, 'http: mcp transport');
  const modern = createMcpHandler(mcpServer.factory, {
    legacy: 'reject',
    maxRequestBodySize: limits.maxBodyBytes,
    onerror,
  });
  mcpServer.announceToolListChangesWith(() => modern.notify.toolsChanged());
  const legacy = new LegacySessions(mcpServer.factory, limits, log);
  const mcp = toNodeHandler(
    {
      fetch: async (request, opts) => {
        const authInfo = opts!.authInfo!;
        return (await isLegacyRequest(request, undefined, { maxRequestBodySize: limits.maxBodyBytes }))
          ? legacy.handle(request, authInfo)
          : modern.fetch(request, { authInfo });
      },
    },
    {
      maxRequestBodySize: limits.maxBodyBytes,
      onerror: (err) => log.error({ err: err.message }, 'http: request failed'),
    },
  );

  let accepting = true;
  const inFlight = new Map<string, number>();

  const reply = async (res: ServerResponse, response: Response) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of response.headers) headers[k] = v;
    res.writeHead(response.status, headers);
    res.end(Buffer.from(await response.arrayBuffer()));
  };

  const handleRequest = async (req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse) => {
    const started = Date.now();
    let principal: string | undefined;
    res.on('finish', () =>
      log.debug(
        {
          method: req.method,
          path: req.url?.split('?')[0],
          status: res.statusCode,
          client: principal,
          ms: Date.now() - started,
        },
        'http request',
      ),
    );
    if (!accepting) return reply(res, rpcError(503, 'The server is shutting down.', { connection: 'close' }));

    const host = validateHostHeader(req.headers.host, allowedHosts);
    if (!host.ok) return reply(res, rpcError(403, `Forbidden: ${host.message}`));
    const origin = validateOriginHeader(req.headers.origin, allowedHosts);
    if (!origin.ok) return reply(res, rpcError(403, `Forbidden: ${origin.message}`));
    const preflight = corsFor(req, res);
    if (preflight) return reply(res, preflight);

    // RFC 9728: where a client finds the authorization server; public, like every discovery document.
    const path = (req.url ?? '/').split('?')[0];
    if (oauth?.metadataPaths.includes(path)) {
      if (req.method !== 'GET') return reply(res, new Response(null, { status: 405, headers: { allow: 'GET' } }));
      return reply(res, Response.json(oauth.metadata(), { headers: { 'cache-control': 'max-age=3600' } }));
    }

    let authInfo: AuthInfo;
    try {
      authInfo = await verifyBearerToken(req.headers.authorization, { verifier });
    } catch (err) {
      const challenge = bearerAuthChallengeResponse(
        err,
        oauth ? { resourceMetadataUrl: oauth.metadataUrl } : undefined,
      );
      // Say which realm, as RFC 6750 allows; no more.
      const www = challenge.headers.get('www-authenticate');
      return reply(
        res,
        new Response(challenge.body, {
          status: challenge.status,
          headers: {
            'content-type': 'application/json',
            ...(www ? { 'www-authenticate': www.replace(/^Bearer /, 'Bearer realm="binance-margin-mcp", ') } : {}),
          },
        }),
      );
    }
    principal = authInfo.clientId;

    if (path !== '/mcp') return reply(res, rpcError(404, 'Not found: MCP is served at /mcp.'));

    // GET is a 2025 session's notification stream: it lasts, and does not count as a request in flight.
    if (req.method !== 'GET') {
      // A request counts until its answer is sent or its client goes away; its tool call
      // counts until it ends, so a client cannot pile up work by hanging up and asking again.
      const n = Math.max(inFlight.get(principal) ?? 0, mcpServer.toolCallsRunning(principal));
      if (n >= limits.maxConcurrentPerClient)
        return reply(
          res,
          rpcError(429, `Too many requests in flight from this client (at most ${limits.maxConcurrentPerClient}).`, {
            'retry-after': '1',
          }),
        );
      inFlight.set(principal, n + 1);
      const who = principal;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = (inFlight.get(who) ?? 1) - 1;
        if (left > 0) inFlight.set(who, left);
        else inFlight.delete(who);
      };
      res.on('close', release);
      res.on('finish', release);
    }
    req.auth = authInfo;
    await mcp(req, res);
  };

  // Node checks the header and request timeouts on this interval (30 s by default): often enough to mean them.
  const server = createServer(
    { connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.headersTimeoutMs / 2)) },
    (req, res) => {
      handleRequest(req, res).catch((err) => {
        log.error({ err: (err as Error).message }, 'http: request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end();
      });
    },
  );
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(http.port, http.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err: err.message }, 'http server error'));
  const port = (server.address() as AddressInfo).port;
  const url = `http://${formatHost(http.host)}:${port}/mcp`;

  const stopAccepting = () => {
    if (!accepting) return;
    accepting = false;
    server.close();
    server.closeIdleConnections();
  };
  return {
    url,
    port,
    tokens,
    oauth,
    get sessions() {
      return legacy.size;
    },
    stopAccepting,
    async close() {
      stopAccepting();
      await legacy.closeAll();
      await modern.close().catch(() => undefined);
      server.closeAllConnections();
    },
  };
}
