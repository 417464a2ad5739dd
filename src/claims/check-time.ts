import type { Clock } from '../clock';
import type { UserContext } from './types';

/**
 * User-context key holding the instant (epoch ms) one claim check started. `validateClaims` sets
 * it, and the built-in validators measure ages against it, so one check sees one clock: a value
 * refetched during the check is never "expired" a few milliseconds later by the time `validate`
 * runs (which would make `maxAgeInSeconds: 0` fail at random), and a value `shouldRefetch` judged
 * fresh is judged fresh by `validate` too.
 */
export const CLAIM_CHECK_TIME: unique symbol = Symbol('nest-session:claim-check-time');

/**
 * User-context key holding the module's `clock` option: the session layer puts it in every user
 * context it makes, so claims (a leaf that knows no module) read the same time as tokens do.
 */
export const CLAIM_CLOCK: unique symbol = Symbol('nest-session:claim-clock');

/** "Now" for a claim check: the pinned check time when there is one, else the module's clock, else `Date.now()`. */
export function claimCheckNow(userContext?: UserContext): number {
  const pinned = (userContext as { [CLAIM_CHECK_TIME]?: unknown } | undefined)?.[CLAIM_CHECK_TIME];
  return typeof pinned === 'number' ? pinned : clockNow(userContext);
}

/** The current time of the module's clock in `userContext` (`Date.now()` without one): when a value is fetched. */
export function clockNow(userContext?: UserContext): number {
  return (userContext as { [CLAIM_CLOCK]?: Clock } | undefined)?.[CLAIM_CLOCK]?.now() ?? Date.now();
}

/** A copy of `userContext` with the check time pinned (kept if already pinned). */
export function withClaimCheckTime(userContext: UserContext): UserContext {
  return { ...userContext, [CLAIM_CHECK_TIME]: claimCheckNow(userContext) } as UserContext;
}
