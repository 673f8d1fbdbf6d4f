/**
 * Counts events per key in a sliding window, in memory (one server process; behind several processes each
 * counts its own share). Old keys are swept as the map is used, so it cannot grow without bound.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the key may act again, or 0 if it may now (and then the event is counted). */
  take(key: string): number {
    const wait = this.retryAfter(key);
    if (wait === 0) this.hit(key);
    return wait;
  }

  /** Counts an event without checking (failed logins are counted after the fact). */
  hit(key: string): void {
    const t = this.now();
    this.sweep(t);
    const list = this.recent(key, t);
    list.push(t);
    this.hits.set(key, list);
  }

  retryAfter(key: string): number {
    const t = this.now();
    const list = this.recent(key, t);
    if (list.length < this.limit) return 0;
    return Math.max(1, Math.ceil((list[0] + this.windowMs - t) / 1000));
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private recent(key: string, t: number): number[] {
    return (this.hits.get(key) ?? []).filter((at) => at > t - this.windowMs);
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < this.windowMs) return;
    this.lastSweep = t;
    for (const [key, list] of this.hits) if (list[list.length - 1] <= t - this.windowMs) this.hits.delete(key);
  }
}
