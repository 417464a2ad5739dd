import type { Clock } from '../clock';

/**
 * A clock a test moves by hand (it stands still otherwise), for the module's `clock` option:
 * expire access tokens, refresh tokens and claims, or age a session for cleanup, without waiting.
 * Starts at the real time of its creation (cookie `Expires` dates stay in the future).
 */
export class TestClock implements Clock {
  private current: number;

  /** @param start epoch ms or a `Date` (default: now). */
  constructor(start: number | Date = Date.now()) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  /** Epoch milliseconds, as the module reads them. */
  now(): number {
    return this.current;
  }

  /** Moves the clock forward by `seconds` (the unit of the module's options). */
  advance(seconds: number): this {
    return this.advanceMs(seconds * 1000);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advanceMs(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`TestClock only moves forward: got ${ms} ms`);
    this.current += ms;
    return this;
  }

  /** Sets the clock to an instant (epoch ms or a `Date`). */
  set(time: number | Date): this {
    this.current = typeof time === 'number' ? time : time.getTime();
    return this;
  }
}
