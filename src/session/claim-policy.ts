import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CLAIM_CLOCK } from '../claims/check-time';
import type { SessionClaim } from '../claims/session-claim';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { UserContext } from '../claims/types';
import type { SessionConfig } from '../config/session-config';
import { SESSION_CONFIG } from '../session.constants';
import { EmailVerificationClaim } from './built-in-claims/email-verification.claim';
import { FreshAuthClaim } from './built-in-claims/fresh-auth.claim';
import { PermissionClaim, UserRoleClaim } from './built-in-claims/user-role.claim';

/** A route's or a caller's replacement of the global validators, given what it is about (a session, a user id...). */
export type ValidatorOverride<S> = (
  globalValidators: SessionClaimValidator[],
  subject: S,
  userContext: UserContext,
) => SessionClaimValidator[] | Promise<SessionClaimValidator[]>;

/**
 * How this app runs claims: which claims new sessions get, which validators every guarded
 * route checks, and the user context claims see (it carries the app's `ModuleRef`, so a
 * `fetchValue` reaches the app's providers with no global state).
 */
@Injectable()
export class ClaimPolicy {
  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** A user context with the app's `moduleRef` (and the request, inside one) over the caller's values. */
  userContext(request?: unknown, extra?: UserContext): UserContext {
    return { ...extra, moduleRef: this.moduleRef, [CLAIM_CLOCK]: this.config.clock, ...(request === undefined ? {} : { request }) };
  }

  /** Built-in claims (roles, permissions, email verification, authentication time) then the `claimsToAddOnCreate` option. */
  claimsForNewSessions(): SessionClaim<unknown>[] {
    const claims: SessionClaim<unknown>[] = [];
    if (this.config.userRoles.addRolesToSession) claims.push(UserRoleClaim as SessionClaim<unknown>);
    if (this.config.userRoles.addPermissionsToSession) claims.push(PermissionClaim as SessionClaim<unknown>);
    if (this.config.emailVerification) claims.push(EmailVerificationClaim as SessionClaim<unknown>);
    if (this.config.recordAuthTime) claims.push(FreshAuthClaim as SessionClaim<unknown>);
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

  /**
   * True when every session's global validator list is empty whatever the user (no built-in
   * default, no `globalClaimValidators` or an empty array): a route with no validators of its
   * own then has nothing to check, and its verification needs no user context and no promise.
   */
  get noGlobalValidators(): boolean {
    const option = this.config.globalClaimValidators;
    return this.config.emailVerification?.mode !== 'REQUIRED' && (option === undefined || (Array.isArray(option) && option.length === 0));
  }

  /** The global validators, or what `override` makes of them for `subject`. */
  async validatorsFor<S>(
    user: { userId: string; tenantId: string },
    subject: S,
    override: ValidatorOverride<S> | undefined,
    userContext: UserContext,
  ): Promise<SessionClaimValidator[]> {
    const globalValidators = await this.globalValidators(user.userId, user.tenantId, userContext);
    return override ? override(globalValidators, subject, userContext) : globalValidators;
  }
}
