import { decodeFeedEvent, decodeFeedMessage, type FeedEvent, publishedAtOf } from './feed-event';
import { LatencyWindow } from './latency-window';
import type { FeedLog } from './feed-log';

/**
 * How far back a catch-up re-reads the log besides "after the last number seen": a row numbered
 * before another can commit after it (two instances publishing at once), and must still be found.
 */
export const LATE_COMMIT_WINDOW_MS = 60_000;

/** Counters of one receiver (in {@link FeedStats}). */
export interface FeedReceiverCounters {
  /** The highest sequence number applied. */
  lastSeq: number;
  messages: number;
  /** Sequence gaps and unreadable messages seen. */
  gaps: number;
  /** Connection losses reported by the transport. */
  disconnects: number;
  /** Completed reads of the log. */
  catchUps: number;
}

/**
 * One instance's side of the feed: applies messages in any order (applying is idempotent), and
 * knows whether it may have missed one. It is "degraded" from start until the first catch-up,
 * from a lost connection until it is back and caught up, and from a gap in the sequence numbers
 * (or an unreadable message) until the log was read past it. While degraded, the guard reads the
 * database for every request (`checkDatabase`), so a lost message never lets a revoked session in.
 */
export class FeedReceiver {
  private connected = false;
  private caughtUp = false;
  private running?: Promise<void>;
  private again = false;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  /** The log's highest number at the previous check. */
  private seenInLog = 0;
  readonly counters: FeedReceiverCounters = { lastSeq: 0, messages: 0, gaps: 0, disconnects: 0, catchUps: 0 };
  /** Publisher's clock to this instance's, for live messages (instances' clocks are assumed in sync). */
  readonly delivery = new LatencyWindow(1024);

  constructor(
    /** Undefined for the in-process transport (no log, no gaps). */
    private readonly log: FeedLog | undefined,
    private readonly apply: (event: FeedEvent, stamp: number) => void,
    private readonly now: () => number,
    private readonly warn: (message: string) => void,
  ) {}

  get degraded(): boolean {
    return !this.connected || !this.caughtUp;
  }

  up(): void {
    this.connected = true;
    if (!this.log) {
      this.caughtUp = true;
      return;
    }
    this.catchUp();
  }

  down(reason: string): void {
    if (this.connected) this.counters.disconnects++;
    this.connected = false;
    this.caughtUp = false;
    this.warn(`revocation feed connection lost (${reason}): reading the database for every request until it is back and caught up`);
  }

  message(text: string): void {
    const received = this.now();
    this.counters.messages++;
    const message = decodeFeedMessage(text);
    const event = message?.body === undefined ? undefined : decodeFeedEvent(message.body);
    if (event) {
      this.apply(event, received);
      const publishedAt = publishedAtOf(message!.body!);
      if (publishedAt !== undefined) this.delivery.add(this.now() - publishedAt);
    }
    if (!this.log) return;
    if (!message || !event || message.seq > this.counters.lastSeq + 1) {
      // Missing numbers (or a body only in the log): degraded until the log was read.
      this.counters.gaps++;
      this.caughtUp = false;
      this.catchUp();
      return;
    }
    if (message.seq > this.counters.lastSeq) this.counters.lastSeq = message.seq;
  }

  /** The background check: a message its sender failed to send is noticed within two intervals. */
  async poll(): Promise<void> {
    if (!this.log || this.stopped) return;
    if (this.degraded) {
      if (this.connected) this.catchUp();
      return;
    }
    // A row the previous check saw that has still not arrived live was lost on its way (a row
    // newer than that may simply be in flight: it gets until the next check).
    const overdue = this.seenInLog;
    this.seenInLog = await this.log.highest();
    if (overdue > this.counters.lastSeq) {
      this.counters.gaps++;
      this.caughtUp = false;
      this.catchUp();
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  /** Waits for a catch-up in progress (tests, start). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Reads the log after the last number seen; runs once more if asked again meanwhile. */
  private catchUp(): void {
    if (!this.log || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.readLog(this.log).finally(() => {
      this.running = undefined;
    });
  }

  private async readLog(log: FeedLog): Promise<void> {
    do {
      this.again = false;
      const connectedAtStart = this.connected;
      try {
        const rows = await log.after(this.counters.lastSeq, this.now() - LATE_COMMIT_WINDOW_MS);
        for (const row of rows) {
          const event = decodeFeedEvent(row.body);
          if (event) this.apply(event, row.createdAt);
          if (row.seq > this.counters.lastSeq) this.counters.lastSeq = row.seq;
        }
        this.counters.catchUps++;
      } catch (error) {
        this.warn(`revocation feed could not read its log (${(error as Error).message}); retrying`);
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.catchUp(), 1000);
        this.retryTimer.unref();
        return;
      }
      // Caught up only if the connection was up for the whole read: messages after it arrive live.
      if (!this.again && connectedAtStart && this.connected) this.caughtUp = true;
    } while (this.again && !this.stopped);
  }
}
