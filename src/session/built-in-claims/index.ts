export { UserRoleClaim, PermissionClaim } from './user-role.claim';
export { EmailVerificationClaim, EmailVerificationClaimClass, type EmailVerificationClaimValidators } from './email-verification.claim';
