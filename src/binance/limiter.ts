/**
 * Client-side weight budget per Binance host. Binance counts request weight per
 * minute against the IP (12,000) and the account UID (180,000); going over gets
 * 429s and then an IP ban (418). We budget the weights we know from the catalog and
 * the used-weight headers Binance returns, hold reads back until the next minute
 * when the budget is spent, and fail writes fast instead of sending them into a 429.
 */
import { ToolError } from '../errors.js';

export type WeightPer = 'IP' | 'UID';
export interface Weight {
  amount: number;
  per: WeightPer;
}

export const DEFAULT_LIMITS: Record<WeightPer, number> = { IP: 12_000, UID: 180_000 };
const MAX_READ_WAIT_MS = 61_000;
/** Stay this far inside the budget: the headers lag by one request and minutes may be skewed. */
const SAFETY_MARGIN = 0.98;
/** After a window rolls over, wait this long so that Binance's minute has rolled too. */
const ROLLOVER_GUARD_MS = 250;

interface Window {
  minute: number;
  used: number;
}

export interface LimiterSnapshot {
  usedIpWeight1m: number;
  ipBudget1m: number;
  usedUidWeight1m: Record<string, number>;
  bannedUntil?: string;
  retryAfterUntil?: string;
  requestsHeldBack: number;
  refusedLocally: number;
}

export class WeightLimiter {
  private ip: Window = { minute: 0, used: 0 };
  private uid = new Map<string, Window>();
  private bannedUntil = 0;
  private retryAfterUntil = 0;
  private heldBack = 0;
  private refused = 0;

  constructor(
    readonly host: string,
    private readonly now: () => number = Date.now,
    private readonly limits: Record<WeightPer, number> = { ...DEFAULT_LIMITS },
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private minute(): number {
    return Math.floor(this.now() / 60_000);
  }

  private window(per: WeightPer, accountKey: string): Window {
    const minute = this.minute();
    if (per === 'IP') {
      if (this.ip.minute !== minute) this.ip = { minute, used: 0 };
      return this.ip;
    }
    let w = this.uid.get(accountKey);
    if (!w || w.minute !== minute) {
      w = { minute, used: 0 };
      this.uid.set(accountKey, w);
    }
    return w;
  }

  /** Reserves `weight` before a request; waits (reads) or throws (writes, bans). */
  async acquire(weight: Weight, accountKey: string, isWrite: boolean): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.bannedUntil) {
        throw new ToolError(
          'rate_limit',
          `Binance has banned this IP (HTTP 418) until ${new Date(this.bannedUntil).toISOString()}; no request is ` +
            `sent to ${this.host} before then.`,
          {
            httpStatus: 418,
            retryAfterSeconds: Math.ceil((this.bannedUntil - now) / 1000),
            hint: 'Stop sending requests; the ban grows if requests continue.',
          },
        );
      }
      let waitMs = 0;
      if (now < this.retryAfterUntil) waitMs = this.retryAfterUntil - now;
      else {
        const w = this.window(weight.per, accountKey);
        const limit = this.limits[weight.per] * SAFETY_MARGIN;
        if (w.used + weight.amount <= limit || w.used === 0) {
          w.used += weight.amount;
          return;
        }
        waitMs = (w.minute + 1) * 60_000 - now + ROLLOVER_GUARD_MS;
      }
      if (isWrite || waitMs > MAX_READ_WAIT_MS) {
        this.refused++;
        throw new ToolError(
          'rate_limit',
          `The ${weight.per} request-weight budget for ${this.host} is spent for this minute; the request was not ` +
            `sent.`,
          {
            retryAfterSeconds: Math.ceil(waitMs / 1000),
            hint: 'Wait for the next minute before sending more; writes are never queued.',
          },
        );
      }
      this.heldBack++;
      await this.sleep(waitMs);
    }
  }

  /** False while a ban or a Retry-After holds every request back. */
  open(): boolean {
    const now = this.now();
    return now >= this.bannedUntil && now >= this.retryAfterUntil;
  }

  /** Gives back weight reserved for a request that was then not sent. */
  refund(weight: Weight, accountKey: string): void {
    const w = this.window(weight.per, accountKey);
    w.used = Math.max(0, w.used - weight.amount);
  }

  /** Reads Binance's used-weight headers; they are the truth when they exceed our count. */
  observe(headers: Record<string, string | string[] | undefined>, accountKey: string): void {
    const ipUsed = numberHeader(headers['x-sapi-used-ip-weight-1m']) ?? numberHeader(headers['x-mbx-used-weight-1m']);
    if (ipUsed !== undefined) {
      const w = this.window('IP', accountKey);
      w.used = Math.max(w.used, ipUsed);
    }
    const uidUsed = numberHeader(headers['x-sapi-used-uid-weight-1m']);
    if (uidUsed !== undefined) {
      const w = this.window('UID', accountKey);
      w.used = Math.max(w.used, uidUsed);
    }
  }

  /**
   * A 429 means the budget is smaller than we assumed (another process on the same IP,
   * or a lower limit): hold everything for Retry-After, and from now on budget no more
   * than the weight that was used when Binance said stop.
   */
  onTooManyRequests(retryAfterSeconds: number, headers: Record<string, string | string[] | undefined> = {}): void {
    this.retryAfterUntil = Math.max(
      this.retryAfterUntil,
      this.now() + clampSeconds(retryAfterSeconds, MAX_RETRY_AFTER_S) * 1000,
    );
    // Without the header there is nothing to learn from: Retry-After alone holds us back.
    const ipUsed = numberHeader(headers['x-sapi-used-ip-weight-1m']) ?? numberHeader(headers['x-mbx-used-weight-1m']);
    if (ipUsed !== undefined && ipUsed > 0 && ipUsed < this.limits.IP) this.limits.IP = ipUsed;
  }

  /** The per-minute budgets in force (lowered by 429s). */
  get budgets(): Readonly<Record<WeightPer, number>> {
    return this.limits;
  }

  onBan(retryAfterSeconds: number): void {
    this.bannedUntil = Math.max(this.bannedUntil, this.now() + clampSeconds(retryAfterSeconds, MAX_BAN_S) * 1000);
  }

  snapshot(): LimiterSnapshot {
    const minute = this.minute();
    const uid: Record<string, number> = {};
    for (const [k, w] of this.uid) if (w.minute === minute) uid[k] = w.used;
    const now = this.now();
    return {
      usedIpWeight1m: this.ip.minute === minute ? this.ip.used : 0,
      ipBudget1m: this.limits.IP,
      usedUidWeight1m: uid,
      ...(this.bannedUntil > now ? { bannedUntil: new Date(this.bannedUntil).toISOString() } : {}),
      ...(this.retryAfterUntil > now ? { retryAfterUntil: new Date(this.retryAfterUntil).toISOString() } : {}),
      requestsHeldBack: this.heldBack,
      refusedLocally: this.refused,
    };
  }
}

/** Whatever a server sends, a hold lasts a sane, finite time. */
const MAX_RETRY_AFTER_S = 300;
const MAX_BAN_S = 3 * 86_400;
const clampSeconds = (s: number, max: number) => (Number.isFinite(s) && s > 0 ? Math.min(s, max) : 1);

function numberHeader(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
