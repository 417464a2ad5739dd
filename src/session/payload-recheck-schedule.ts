/**
 * Remembers, per session handle, when this instance last compared a session's token payload
 * with the database, so propagation costs at most one query per session per interval.
 * Bounded: the oldest entries go first.
 */
export class PayloadRecheckSchedule {
  private readonly lastChecked = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly capacity = 100_000,
  ) {}

  /** True when the session is due for a check; marks it checked now. */
  takeIfDue(sessionHandle: string, nowMs: number): boolean {
    const last = this.lastChecked.get(sessionHandle);
    if (last !== undefined && nowMs - last < this.intervalMs) return false;
    this.lastChecked.delete(sessionHandle);
    if (this.lastChecked.size >= this.capacity) {
      const oldest = this.lastChecked.keys().next().value;
      if (oldest !== undefined) this.lastChecked.delete(oldest);
    }
    this.lastChecked.set(sessionHandle, nowMs);
    return true;
  }
}
