import { EmailVerificationClaim, type OverrideGlobalClaimValidators } from '../../src';
import { SecondFactorClaim } from '../two-factor/second-factor.claim';

/**
 * Global validators that stand for steps of signing in rather than for access rights: the
 * second factor (`2fa-completed`) and email verification (`st-ev`). Every guarded route checks
 * them, except the routes a user needs to complete them.
 */
export const SIGN_IN_STEP_IDS: readonly string[] = [SecondFactorClaim.key, EmailVerificationClaim.key];

/**
 * `overrideGlobalClaimValidators` of the 2FA and email-verification routes: the global list
 * minus the sign-in steps, so a user can enter the code before verifying the email and the
 * other way round. Any other global validator still applies.
 */
export const withoutSignInSteps: OverrideGlobalClaimValidators = (globalValidators) =>
  globalValidators.filter((validator) => !SIGN_IN_STEP_IDS.includes(validator.id));
