/** One event the transport refused (the log or the connection was unavailable). */
interface UnsentEvent {
  body: string;
  publishedAt: number;
  /** After this (epoch ms) every token the event concerns has expired: sending it is pointless. */
  relevantUntil: number;
}

/** Events kept for a retry; beyond this, the oldest are dropped (and reported). */
export const UNSENT_LIMIT = 10_000;
const FIRST_DELAY_MS = 250;
const LAST_DELAY_MS = 5000;

/**
 * Events an instance failed to publish, sent again in the background (oldest first, 250 ms
 * doubling to 5 s between failed attempts) until sent or no longer relevant. Without this, a
 * revocation whose log row could not be written (a database blip between the session's delete
 * and the append) would never reach the other instances, nor their check of the log.
 */
export class UnsentEvents {
  private readonly queue: UnsentEvent[] = [];
  private timer?: NodeJS.Timeout;
  private delay = FIRST_DELAY_MS;
  private sending = false;
  private stopped = false;
  /** Events dropped unsent: over {@link UNSENT_LIMIT}. */
  dropped = 0;

  constructor(
    private readonly send: (body: string, publishedAt: number) => Promise<unknown>,
    private readonly now: () => number,
    private readonly report: (message: string) => void,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  add(body: string, publishedAt: number, relevantUntil: number): void {
    if (this.stopped) return;
    this.queue.push({ body, publishedAt, relevantUntil });
    if (this.queue.length > UNSENT_LIMIT) {
      this.queue.shift();
      this.dropped++;
      this.report(`revocation feed dropped an unsent event: more than ${UNSENT_LIMIT} waiting`);
    }
    this.schedule();
  }

  /**
   * At shutdown: one last attempt, oldest first, stopping at the first failure (the transport is
   * still down: trying 10,000 events would only hold the shutdown). Then nothing is kept. An
   * event sent twice (one `drain` had in flight) is harmless: applying is idempotent.
   */
  async flush(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const now = this.now();
    for (const event of this.queue.splice(0)) {
      if (event.relevantUntil <= now) continue;
      try {
        await this.send(event.body, event.publishedAt);
      } catch {
        return;
      }
    }
  }

  private schedule(): void {
    if (this.timer || this.sending || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, this.delay);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const event = this.queue[0];
        if (event.relevantUntil > this.now()) {
          try {
            await this.send(event.body, event.publishedAt);
          } catch {
            this.delay = Math.min(LAST_DELAY_MS, this.delay * 2);
            return;
          }
        }
        this.queue.shift();
        this.delay = FIRST_DELAY_MS;
      }
    } finally {
      this.sending = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
