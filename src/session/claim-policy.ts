import type { SessionConfig } from '../config/session-config';
import { EmailVerificationClaim } from './built-in-claims/email-verification.claim';
import { PermissionClaim, UserRoleClaim } from './built-in-claims/user-role.claim';
import type { SessionClaim } from '../claims/session-claim';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { UserContext } from '../claims/types';

/** Which claims new sessions get and which validators every guarded route checks, from the options. */
export class ClaimPolicy {
  constructor(private readonly config: SessionConfig) {}

  /** Built-in claims (roles, permissions, email verification) then the `claimsToAddOnCreate` option. */
  claimsForNewSessions(): SessionClaim<unknown>[] {
    const claims: SessionClaim<unknown>[] = [];
    if (this.config.userRoles.addRolesToSession) claims.push(UserRoleClaim as SessionClaim<unknown>);
    if (this.config.userRoles.addPermissionsToSession) claims.push(PermissionClaim as SessionClaim<unknown>);
    if (this.config.emailVerification) claims.push(EmailVerificationClaim as SessionClaim<unknown>);
    return [...claims, ...this.config.claimsToAddOnCreate];
  }

  /** The built-in defaults (email verification in REQUIRED mode), then the `globalClaimValidators` option. */
  async globalValidators(userId: string, tenantId: string, userContext: UserContext): Promise<SessionClaimValidator[]> {
    const defaults: SessionClaimValidator[] =
      this.config.emailVerification?.mode === 'REQUIRED' ? [EmailVerificationClaim.validators.isVerified()] : [];
    const option = this.config.globalClaimValidators;
    if (option === undefined) return defaults;
    if (Array.isArray(option)) return [...defaults, ...option];
    return option(defaults, { userId, tenantId, userContext });
  }
}
