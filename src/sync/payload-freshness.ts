import type { JSONObject, JSONValue } from '../claims/types';

/**
 * Remembers, per session handle, when this instance last compared a session's token payload
 * with the database, so propagation costs at most one query per session per interval.
 * Bounded: the oldest entries go first.
 */
export class PayloadCheckSchedule {
  private readonly lastChecked = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly capacity = 100_000,
  ) {}

  /** True when the session is due for a check; marks it checked now. */
  claim(sessionHandle: string, nowMs: number): boolean {
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

/** Order-insensitive equality of two JSON objects (databases may reorder keys). */
export function sameJson(a: JSONObject, b: JSONObject): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: JSONValue | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}
