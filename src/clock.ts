/**
 * Where the module reads "now" (epoch ms) for every time rule: token `iat`/`exp` and their
 * verification, refresh-token expiry and grace, claim fetch times, `maxAgeInSeconds` and
 * refetches, signing-key rotation, cleanup. The `clock` option replaces it (tests move it with
 * `TestClock` from `nest-session/testing`); timers (cleanup interval) still run on real time.
 */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
}

/** The real clock (the default). */
export const systemClock: Clock = { now: () => Date.now() };
