import { claimCheckNow, clockNow } from '../../claims/check-time';
import { PrimitiveClaim } from '../../claims/primitive-claim';
import type { SessionClaimValidator } from '../../claims/session-claim-validator';

/** Validators of {@link FreshAuthClaim}. */
export interface FreshAuthClaimValidators {
  /**
   * Passes when the user authenticated (signed in, or re-authenticated and `markFreshAuth()` was
   * called) at most `maxAgeInSeconds` ago. Never refetches: a refresh is not an authentication.
   */
  authenticatedWithin: (maxAgeInSeconds: number, id?: string) => SessionClaimValidator;
}

/**
 * The time of the session's last real authentication (`st-auth`, epoch ms), for step-up checks
 * (`@RequireFreshAuth(seconds)`). New sessions get it with the `recordAuthTime` option; refreshes
 * carry it unchanged; `session.markFreshAuth()` (after a password prompt, a passkey...) renews it.
 */
export class FreshAuthClaimClass extends PrimitiveClaim<number> {
  declare validators: FreshAuthClaimValidators & PrimitiveClaim<number>['validators'];

  constructor() {
    // "Fetching" the value is the moment of authentication: only creation and markFreshAuth fetch.
    super({ key: 'st-auth', fetchValue: (_userId, _tenantId, userContext) => clockNow(userContext) });
    this.validators = {
      ...this.validators,
      authenticatedWithin: (maxAgeInSeconds: number, id: string = this.key) => {
        if (!Number.isFinite(maxAgeInSeconds) || maxAgeInSeconds < 0) throw new RangeError(`authenticatedWithin: maxAgeInSeconds must be >= 0, got ${maxAgeInSeconds}`);
        return {
          id,
          // No `claim`: the validator only reads the payload, so nothing ever refetches (renews) it.
          validate: (payload, userContext) => {
            const authenticatedAt = this.getValueFromPayload(payload, userContext);
            if (typeof authenticatedAt !== 'number') return { isValid: false, reason: { message: 'value does not exist', maxAgeInSeconds } };
            const ageInSeconds = Math.floor((claimCheckNow(userContext) - authenticatedAt) / 1000);
            if (ageInSeconds > maxAgeInSeconds) return { isValid: false, reason: { message: 'authentication is too old', ageInSeconds, maxAgeInSeconds } };
            return { isValid: true };
          },
        };
      },
    };
  }
}

/** The built-in last-authentication claim (`st-auth`). */
export const FreshAuthClaim = new FreshAuthClaimClass();
