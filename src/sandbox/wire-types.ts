/** The wire layer's vocabulary: keys, routes, recorded requests, scripted faults (wire.ts uses them). */
import type { KeyObject } from 'node:crypto';

export type SandboxSecurity = 'NONE' | 'MARKET_DATA' | 'USER_STREAM' | 'TRADE' | 'MARGIN' | 'USER_DATA';

/** A refusal in Binance's format: HTTP status and `{code, msg}`. */
export class BinanceReject extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly httpStatus = 400,
  ) {
    super(msg);
  }
}

export interface SandboxKey {
  apiKey: string;
  /** The account id inside the exchange that this key trades. */
  accountId: string;
  /** HMAC secret, or the public key of an RSA / Ed25519 key pair. */
  hmacSecret?: string;
  publicKey?: KeyObject;
}

export interface RouteContext {
  method: string;
  path: string;
  /** Decoded parameters from the query string and form body (signature and timestamp removed). */
  params: Record<string, string>;
  /** Present for every endpoint that needs an API key. */
  accountId?: string;
  apiKey?: string;
  now: number;
}

export interface Route {
  method: string;
  path: string;
  security: SandboxSecurity;
  weight: number | ((params: Record<string, string>) => number);
  per: 'IP' | 'UID';
  handle(ctx: RouteContext): unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The raw query string as received (percent-encoded, signature included). */
  rawQuery: string;
  body: string;
  params: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  time: number;
}

export type Fault =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'binance'; status?: number; code: number; msg: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'invalid-json' }
  | { kind: 'too-many'; retryAfter: number }
  | { kind: 'ban'; retryAfter: number };

export interface ScriptedFault {
  fault: Fault;
  /** Which requests it hits (default: any except /api/v3/time). */
  match?: (req: RecordedRequest) => boolean;
  /** How many times it fires (default 1). */
  times?: number;
  /** Execute the request first, then fail the answer: Binance took it but the client never hears. */
  afterExecute?: boolean;
}

export interface WireOptions {
  /** Per-minute weight budgets; defaults are Binance's (12,000 per IP, 180,000 per UID). */
  ipWeightLimit?: number;
  uidWeightLimit?: number;
  /** Milliseconds added to the sandbox's clock, to test -1021 handling. */
  clockSkewMs?: number;
  /** Record requests, headers included (tests and the stand-in only; default off). */
  record?: boolean;
  /** Keep this many recorded requests (oldest dropped). */
  recordLimit?: number;
}
