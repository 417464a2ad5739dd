/**
 * A `Date.now` that keeps running but can be moved forward, for max-age and refetch-interval
 * rules without sleeping. Everything time-based in the library reads `Date.now`.
 * Call `restore()` (e.g. in `afterEach`) when done.
 */
export interface TestClock {
  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void;
  /** Puts the real `Date.now` back. */
  restore(): void;
}

export function installClock(): TestClock {
  const realNow = Date.now.bind(Date);
  let offsetMs = 0;
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
  return {
    advance(seconds: number) {
      offsetMs += seconds * 1000;
    },
    restore() {
      spy.mockRestore();
    },
  };
}
