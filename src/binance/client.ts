/**
 * The Binance REST client: one per base URL, with its own connection pool, server
 * clock and weight limiter. It knows nothing of MCP. It signs, sends, reads the
 * rate-limit headers and turns every failure into a ToolError of the right kind.
 *
 * Retry policy, in one place: a GET (which changes nothing) is retried on network
 * errors, 5xx and short 429s; a write is never retried, except after -1021, where
 * Binance refused the request unexecuted and it is resent once with a fresh timestamp.
 */
import type { Dispatcher, Pool } from 'undici';
import { ToolError } from '../errors.js';
import { ServerClock } from './clock.js';
import { parseJsonExact } from './json.js';
import { WeightLimiter, type Weight } from './limiter.js';
import { buildQuery, encodeRfc3986, type WireParams } from './query.js';
import type { Signer } from './signer.js';

export const USER_AGENT = 'binance-margin-trading/1.0.0 (Skill)';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type SecurityType = 'NONE' | 'MARKET_DATA' | 'USER_STREAM' | 'TRADE' | 'MARGIN' | 'USER_DATA';

export const isSigned = (s: SecurityType) => s === 'TRADE' || s === 'MARGIN' || s === 'USER_DATA';
export const needsApiKey = (s: SecurityType) => s !== 'NONE';

/** What the client needs to know about an endpoint: the catalog supplies it. */
export interface WireEndpoint {
  method: HttpMethod;
  path: string;
  security: SecurityType;
  weight: Weight;
}

export interface Credentials {
  apiKey: string;
  signer: Signer;
  /** Names the account for per-UID weight accounting; never the key itself. */
  accountKey: string;
}

export interface SendOptions {
  /** A heavier weight for this call (e.g. an order that borrows). */
  weight?: Weight;
  /** Named in an unknown-outcome error so the agent can look the order up. */
  clientOrderId?: string;
  /** Used by reconciliation: a read that must not wait for the weight budget. */
  noRetry?: boolean;
}

export interface BinanceResponse {
  httpStatus: number;
  data: unknown;
  /** Set when a GET needed more than one attempt. */
  attempts: number;
}

export interface ClientOptions {
  timeoutMs?: number;
  connectTimeoutMs?: number;
  maxGetRetries?: number;
  now?: () => number;
}

/** A read refused with a Retry-After up to this long waits and is retried (reads change nothing). */
const RETRYABLE_429_SECONDS = 10;
const MAX_429_SECONDS = 300;
const MAX_BAN_SECONDS = 3 * 86_400;
const MAX_IN_FLIGHT = 8;

/**
 * At most `size` requests on the wire per host. A request takes a slot only once the
 * weight budget let it through, so a read waiting for next minute's budget holds no
 * connection; and writes (a cancel, a repay) go ahead of every queued read.
 */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private writesWaiting = 0;
  constructor(size: number) {
    this.free = size;
  }
  async take(write: boolean): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => {
      if (write)
        this.waiting.splice(this.writesWaiting++, 0, () => {
          this.writesWaiting--;
          resolve();
        });
      else this.waiting.push(resolve);
    });
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

let undiciPool: Promise<typeof import('./undici-pool.js')> | undefined;
/**
 * undici is loaded on the first request, not at start-up: a client that only lists
 * tools never needs it. Only its Pool (binance/undici-pool.ts).
 */
const loadUndici = () => (undiciPool ??= import('./undici-pool.js'));

export class BinanceClient {
  readonly clock: ServerClock;
  readonly limiter: WeightLimiter;
  private pool: Pool | undefined;
  private readonly slots = new Slots(MAX_IN_FLIGHT);
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxGetRetries: number;

  constructor(
    readonly baseUrl: string,
    opts: ClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? this.timeoutMs;
    this.maxGetRetries = opts.maxGetRetries ?? 2;
    const now = opts.now ?? Date.now;
    this.limiter = new WeightLimiter(new URL(baseUrl).host, () => now() + this.clock.offset);
    this.clock = new ServerClock(() => this.fetchServerTime(), now);
  }

  private async getPool(): Promise<Pool> {
    if (!this.pool) {
      const { Pool } = await loadUndici();
      this.pool ??= new Pool(this.baseUrl, {
        connections: MAX_IN_FLIGHT,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        connect: { timeout: this.connectTimeoutMs },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    }
    return this.pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.close().catch(() => pool.destroy());
  }

  private async fetchServerTime(): Promise<number> {
    const pool = await this.getPool();
    const res = await pool.request({ method: 'GET', path: '/api/v3/time', headers: { 'user-agent': USER_AGENT } });
    const body = (await res.body.json()) as { serverTime?: unknown };
    if (res.statusCode !== 200 || typeof body.serverTime !== 'number')
      throw new Error(`GET /api/v3/time answered HTTP ${res.statusCode}`);
    return body.serverTime;
  }

  /**
   * Sends one request. `params` must already be validated wire values in the order
   * they are to be sent; `timestamp` and `signature` are added here.
   */
  async send(
    endpoint: WireEndpoint,
    params: WireParams,
    creds: Credentials | undefined,
    opts: SendOptions = {},
  ): Promise<BinanceResponse> {
    const write = endpoint.method !== 'GET';
    const signed = isSigned(endpoint.security);
    if (needsApiKey(endpoint.security) && !creds)
      throw new ToolError('config', `${endpoint.method} ${endpoint.path} needs an API key.`);
    const accountKey = creds?.accountKey ?? '-';
    const pool = await this.getPool();

    let resynced = false;
    let attempt = 0;
    for (;;) {
      attempt++;
      // Every attempt is charged; a read held back by Retry-After or the budget waits
      // here, holding no connection slot.
      const weight = opts.weight ?? endpoint.weight;
      await this.limiter.acquire(weight, accountKey, write);
      let query = buildQuery(params);
      if (signed) {
        const timestamp = await this.clock.timestamp();
        query = query ? `${query}&timestamp=${timestamp}` : `timestamp=${timestamp}`;
        query += `&signature=${encodeRfc3986(creds!.signer.sign(query))}`;
      }
      const headers: Record<string, string> = { 'user-agent': USER_AGENT };
      if (creds && needsApiKey(endpoint.security)) headers['x-mbx-apikey'] = creds.apiKey;
      if (write) headers['content-type'] = 'application/x-www-form-urlencoded';

      // Slots are held only while on the wire (released on every path below).
      await this.slots.take(write);
      // While it queued for a slot a 429 or a ban may have come in: nothing goes out after one.
      if (!this.limiter.open()) {
        this.slots.give();
        this.limiter.refund(weight, accountKey);
        continue;
      }

      let statusCode: number;
      let text: string;
      let resHeaders: Dispatcher.ResponseData['headers'];
      try {
        const res = await pool.request({
          method: endpoint.method,
          path: query ? `${endpoint.path}?${query}` : endpoint.path,
          headers,
        });
        statusCode = res.statusCode;
        resHeaders = res.headers;
        text = await res.body.text();
      } catch (err) {
        this.slots.give();
        const reason = describeNetworkError(err);
        if (write) throw unknownOutcome(endpoint, `no answer (${reason})`, opts.clientOrderId);
        if (!opts.noRetry && attempt <= this.maxGetRetries) {
          await backoff(attempt);
          continue;
        }
        throw new ToolError('network', `${endpoint.method} ${endpoint.path} failed: ${reason}.`, {
          hint: reason.includes('timed out')
            ? 'Binance did not answer in time; try again shortly.'
            : 'Check the network connection to Binance.',
        });
      }
      this.slots.give();
      this.limiter.observe(resHeaders, accountKey);

      if (statusCode >= 200 && statusCode < 300) {
        try {
          return { httpStatus: statusCode, data: text === '' ? {} : parseJsonExact(text), attempts: attempt };
        } catch {
          if (write)
            throw unknownOutcome(endpoint, `HTTP ${statusCode} with a body that is not JSON`, opts.clientOrderId);
          throw new ToolError(
            'binance',
            `${endpoint.method} ${endpoint.path} answered HTTP ${statusCode} with a body that is not JSON.`,
            { httpStatus: statusCode },
          );
        }
      }

      const retryAfterHeader = Number(firstHeader(resHeaders['retry-after']) ?? '');
      // A Retry-After of 1e20 or NaN must not stall the host for ever: bans last at most 3 days, 429s a few minutes.
      const retryAfter =
        Number.isFinite(retryAfterHeader) && retryAfterHeader > 0
          ? Math.min(retryAfterHeader, statusCode === 418 ? MAX_BAN_SECONDS : MAX_429_SECONDS)
          : NaN;
      if (statusCode === 418) {
        this.limiter.onBan(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 120);
        throw new ToolError(
          'rate_limit',
          `Binance has banned this IP (HTTP 418) for ${Number.isFinite(retryAfter) ? retryAfter : 120} s after too ` +
            `many requests; nothing more is sent until the ban ends.`,
          {
            httpStatus: 418,
            code: binanceBody(text)?.code,
            retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
            hint: 'Stop sending requests; bans escalate up to 3 days.',
          },
        );
      }
      if (statusCode === 429) {
        const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1;
        this.limiter.onTooManyRequests(seconds, resHeaders);
        if (!write && !opts.noRetry && seconds <= RETRYABLE_429_SECONDS && attempt <= this.maxGetRetries) {
          continue; // the limiter holds the retry back for Retry-After
        }
        throw new ToolError('rate_limit', `Binance answered HTTP 429 (too many requests); retry after ${seconds} s.`, {
          httpStatus: 429,
          code: binanceBody(text)?.code,
          retryAfterSeconds: seconds,
          hint: 'Slow down: repeated 429s get the IP banned (418).',
        });
      }

      const body = binanceBody(text);
      if (statusCode >= 500 || body?.code === -1007 || body?.code === -1006) {
        if (write)
          throw unknownOutcome(
            endpoint,
            `HTTP ${statusCode}${body ? ` ${body.code} ${body.msg}` : ''}`,
            opts.clientOrderId,
          );
        if (!opts.noRetry && attempt <= this.maxGetRetries) {
          await backoff(attempt);
          continue;
        }
        throw new ToolError(
          body ? 'binance' : 'network',
          `${endpoint.method} ${endpoint.path} failed: HTTP ${statusCode}${body ? `, ${body.msg}` : ''}.`,
          {
            httpStatus: statusCode,
            ...(body ? { code: body.code } : {}),
            hint: 'Binance had a problem; try again shortly.',
          },
        );
      }
      if (body) {
        if (body.code === -1021 && signed && !resynced) {
          // Refused unexecuted because of the clock: re-sync and resend once.
          resynced = true;
          await this.clock.sync().catch(() => undefined);
          continue;
        }
        throw new ToolError('binance', body.msg, { code: body.code, httpStatus: statusCode, ...hintFor(body.code) });
      }
      throw new ToolError(
        'binance',
        `${endpoint.method} ${endpoint.path} answered HTTP ${statusCode} with a body that is not a Binance error.`,
        {
          httpStatus: statusCode,
          hint: statusCode === 403 ? 'HTTP 403 usually means Binance’s firewall refused the request.' : undefined,
        },
      );
    }
  }
}

function unknownOutcome(endpoint: WireEndpoint, reason: string, clientOrderId?: string): ToolError {
  return new ToolError(
    'unknown_outcome',
    `Execution status unknown: ${endpoint.method} ${endpoint.path} got ${reason}. Binance may or may not have ` +
      `executed it; it was not resent.` +
      (clientOrderId ? ` Look it up by client order id ${clientOrderId} before trying again.` : ''),
    {
      ...(clientOrderId ? { clientOrderId } : {}),
      hint: 'Query the order or the account before placing anything again.',
    },
  );
}

function binanceBody(text: string): { code: number; msg: string } | undefined {
  try {
    const body = JSON.parse(text) as { code?: unknown; msg?: unknown };
    if (typeof body?.code === 'number' && typeof body.msg === 'string') return { code: body.code, msg: body.msg };
  } catch {
    /* not JSON */
  }
  return undefined;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function describeNetworkError(err: unknown): string {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timed out waiting for Binance';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'timed out connecting to Binance';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not resolved';
  return code ? `network error ${code}` : 'network error';
}

const backoff = (attempt: number) => new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));

/** Short hints for the refusals users meet most; the message itself stays Binance's. */
export function hintFor(code: number): { hint?: string } {
  switch (code) {
    case -1021:
      return {
        hint:
          'The request timestamp was outside recvWindow: check the computer clock (NTP) or pass a larger ' +
          'recvWindow (≤ 60000).',
      };
    case -1022:
      return { hint: 'The signature was refused: check the secret or private key and the signing scheme in TOOLS.md.' };
    case -2014:
    case -2015:
      return { hint: 'Check the API key, its IP whitelist and that margin trading is enabled for it.' };
    case -2010:
      return {
        hint: 'Usually insufficient balance: check the margin account or use sideEffectType MARGIN_BUY to borrow.',
      };
    case -1013:
      return {
        hint:
          'A symbol filter refused the order: round price to tickSize and quantity to stepSize, and meet the ' +
          'minimum notional.',
      };
    case -3045:
      return { hint: 'Binance has not enough of this asset to lend right now; try a smaller amount or later.' };
    default:
      return {};
  }
}
