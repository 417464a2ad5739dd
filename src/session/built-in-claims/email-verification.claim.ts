import { BooleanClaim, type BooleanClaimValidators } from '../../claims/boolean-claim';
import { claimCheckNow } from '../../claims/check-time';
import type { SessionClaimValidator } from '../../claims/session-claim-validator';
import { SessionConfigError } from '../../errors/session-config-error';
import { SESSION_CONFIG } from '../../session.constants';
import { moduleRefOf } from './module-context';

/** Validators of {@link EmailVerificationClaim}. */
export interface EmailVerificationClaimValidators extends BooleanClaimValidators {
  /**
   * Passes when the email is verified. A `false` value is re-checked after
   * `refetchTimeOnFalseInSeconds` (default 10), any value after `maxAgeInSeconds` (default 300).
   */
  isVerified: (refetchTimeOnFalseInSeconds?: number, maxAgeInSeconds?: number) => SessionClaimValidator;
}

/** The email-verification claim class (`st-ev`); use the {@link EmailVerificationClaim} instance. */
export class EmailVerificationClaimClass extends BooleanClaim {
  declare validators: EmailVerificationClaimValidators;

  constructor() {
    super({
      key: 'st-ev',
      defaultMaxAgeInSeconds: 300,
      fetchValue: async (userId, tenantId, userContext) => {
        const config = moduleRefOf(userContext, 'st-ev').get<{ emailVerification?: { isEmailVerified: (u: string, t: string, c: unknown) => unknown } }>(
          SESSION_CONFIG,
          { strict: false },
        );
        if (!config.emailVerification) {
          throw new SessionConfigError('EmailVerificationClaim needs the emailVerification option of SessionModule (isEmailVerified)');
        }
        return Boolean(await config.emailVerification.isEmailVerified(userId, tenantId, userContext));
      },
    });
    this.validators = {
      ...this.validators,
      isVerified: (refetchTimeOnFalseInSeconds = 10, maxAgeInSeconds = 300) => ({
        ...this.validators.hasValue(true, maxAgeInSeconds),
        shouldRefetch: (payload, userContext) => {
          const value = this.getValueFromPayload(payload, userContext);
          if (value === undefined) return true;
          const fetchedAt = this.getLastRefetchTime(payload, userContext) ?? 0;
          const now = claimCheckNow(userContext);
          if (fetchedAt < now - maxAgeInSeconds * 1000) return true;
          // Unverified users are the ones who may verify any second: ask again sooner.
          return value === false && fetchedAt < now - refetchTimeOnFalseInSeconds * 1000;
        },
      }),
    };
  }
}

/** Whether the user's email is verified, under `st-ev`; its source is the `emailVerification.isEmailVerified` option. */
export const EmailVerificationClaim = new EmailVerificationClaimClass();
