/** Keys dropped per {@link FeedSet.prune} call at most (~20 ms of work; a flood expiring at once is dropped over several event-loop turns). */
export const PRUNE_SLICE = 10_000;

/**
 * Keys with a time stamp that expire `ttlMs` after it: the revoked handles (stamp = when their
 * last access token expires, ttl 0) and the handles whose payload changed (stamp = when the news
 * arrived, ttl = the access-token validity). An entry is dropped once no access token it can
 * concern is still valid, so the set holds at most one validity period of events.
 *
 * Expiry is a queue in arrival order (stamps arrive nearly in order; an earlier stamp behind a
 * later one is only dropped later, never sooner), so pruning costs O(expired entries).
 */
export class FeedSet<TExtra = undefined> {
  private readonly stamps = new Map<string, number>();
  private readonly extras = new Map<string, TExtra>();
  private queue: string[] = [];
  private queueExpiry: number[] = [];
  private head = 0;
  private chars = 0;

  constructor(private readonly ttlMs: number) {}

  /** Adds `key` (or moves its stamp later); returns the stamp now held. */
  add(key: string, stamp: number): number {
    const previous = this.stamps.get(key);
    if (previous !== undefined && previous >= stamp) return previous;
    if (previous === undefined) this.chars += key.length;
    this.stamps.set(key, stamp);
    this.extras.delete(key);
    this.queue.push(key);
    this.queueExpiry.push(stamp + this.ttlMs);
    return stamp;
  }

  /** The key's stamp while it has not expired at `nowMs`. */
  stampOf(key: string, nowMs: number): number | undefined {
    const stamp = this.stamps.get(key);
    return stamp !== undefined && stamp + this.ttlMs > nowMs ? stamp : undefined;
  }

  has(key: string, nowMs: number): boolean {
    return this.stampOf(key, nowMs) !== undefined;
  }

  /** Something attached to a live key (cleared when its stamp moves). */
  extra(key: string): TExtra | undefined {
    return this.extras.get(key);
  }

  setExtra(key: string, stamp: number, value: TExtra): void {
    if (this.stamps.get(key) === stamp) this.extras.set(key, value);
  }

  /**
   * Drops what expired at `nowMs`, at most `limit` keys per call (a flood expiring at once is
   * dropped over several calls instead of blocking the event loop); returns how many keys went.
   */
  prune(nowMs: number, limit = PRUNE_SLICE): number {
    let dropped = 0;
    while (dropped < limit && this.head < this.queue.length && this.queueExpiry[this.head] <= nowMs) {
      const key = this.queue[this.head];
      const stamp = this.stamps.get(key);
      if (stamp !== undefined && stamp + this.ttlMs <= nowMs) {
        this.stamps.delete(key);
        this.extras.delete(key);
        this.chars -= key.length;
        dropped++;
      }
      this.head++;
    }
    // Compact the queue once most of it is consumed (amortised O(1) per entry).
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.queueExpiry = this.queueExpiry.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  get size(): number {
    return this.stamps.size;
  }

  /** Characters held in keys (for the memory estimate of {@link FeedStats}). */
  get keyChars(): number {
    return this.chars;
  }
}
