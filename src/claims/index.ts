/** Session claims without any session wiring: claim classes, validators and the validation algorithm. */
export type { UserContext, ClaimValidationResult, ClaimValidationError } from './types';
export { SessionClaim } from './session-claim';
export type { SessionClaimValidator } from './session-claim-validator';
export { TimestampedClaim, type TimestampedClaimConfig, type TimestampedValidatorSpec } from './timestamped-claim';
export { PrimitiveClaim, type PrimitiveClaimValidators } from './primitive-claim';
export { PrimitiveArrayClaim, type PrimitiveArrayClaimValidators } from './primitive-array-claim';
export { BooleanClaim, type BooleanClaimValidators } from './boolean-claim';
export { refetchClaims, runClaimValidators, validateClaims, type RefetchClaimsResult, type ValidateClaimsResult } from './validate-claims';
