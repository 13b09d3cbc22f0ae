/**
 * Binance refuses a signed request whose timestamp is outside recvWindow of its own
 * clock (-1021). The clock measures the offset to GET /api/v3/time once, refreshes it
 * every 30 minutes, and re-syncs on demand after a -1021.
 */
export const RESYNC_INTERVAL_MS = 30 * 60_000;

export class ServerClock {
  private offsetMs = 0;
  private syncedAt = 0;
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly fetchServerTime: () => Promise<number>,
    private readonly now: () => number = Date.now,
  ) {}

  get offset(): number {
    return this.offsetMs;
  }
  get lastSync(): number {
    return this.syncedAt;
  }

  /** A timestamp in Binance's time; syncs first when never synced or stale. */
  async timestamp(): Promise<number> {
    if (this.now() - this.syncedAt > RESYNC_INTERVAL_MS) await this.sync().catch(() => undefined);
    return Math.round(this.now() + this.offsetMs);
  }

  /** Measures the offset, taking the request's midpoint as the moment Binance read its clock. */
  sync(): Promise<void> {
    if (!this.inflight) {
      this.inflight = (async () => {
        try {
          const sent = this.now();
          const serverTime = await this.fetchServerTime();
          const received = this.now();
          this.offsetMs = serverTime - (sent + received) / 2;
          this.syncedAt = received;
        } finally {
          this.inflight = null;
        }
      })();
    }
    return this.inflight;
  }
}
