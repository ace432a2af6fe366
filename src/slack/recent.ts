/**
 * Keys seen in the last few seconds, to drop redelivered events (Slack
 * retries an event it thinks we missed) and repeated share clicks. Best
 * effort per instance: the decisions themselves are idempotent anyway.
 */
export class RecentKeys {
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time a key is offered within the time window. */
  firstTime(key: string): boolean {
    const now = this.now();
    const at = this.#seen.get(key);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    // Maps iterate in insertion order, so the oldest entries go first.
    for (const [k, t] of this.#seen) {
      if (this.#seen.size <= this.max && now - t < this.ttlMs) break;
      this.#seen.delete(k);
    }
    return true;
  }
}
