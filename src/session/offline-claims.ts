import type { SessionRuntime } from './session-runtime';
import { assertNoProtectedKeys, withoutProtectedKeys } from '../tokens/protected-keys';
import type { ClaimPolicy } from './claim-policy';
import type { SessionClaim } from '../claims/session-claim';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { ClaimValidationError, UserContext } from '../claims/types';
import type { JSONObject } from '../json';
import { runClaimValidators, validateClaims } from '../claims/validate-claims';

/** A session as the offline claim functions see it. */
export interface OfflineSessionView {
  sessionHandle: string;
  userId: string;
  tenantId: string;
  customClaimsInAccessTokenPayload: JSONObject;
}

/** Claim functions by session handle (SuperTokens' offline forms); `SessionService` exposes them. */
export class OfflineClaims {
  constructor(
    private readonly runtime: SessionRuntime,
    private readonly policy: ClaimPolicy,
    /** The service's offline merge, so protected-key rules apply the same way. */
    private readonly merge: (sessionHandle: string, update: JSONObject) => Promise<boolean>,
  ) {}

  async fetchAndSetClaim<T>(sessionHandle: string, claim: SessionClaim<T>, userContext?: UserContext): Promise<boolean> {
    const record = await this.runtime.store.find(sessionHandle, Date.now());
    if (!record) return false;
    const context = this.runtime.userContext(undefined, userContext);
    const value = await claim.fetchValue(record.userId, record.tenantId, context);
    if (value === undefined) return true;
    return this.merge(sessionHandle, claim.addToPayload_internal({}, value, context));
  }

  setClaimValue<T>(sessionHandle: string, claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<boolean> {
    return this.merge(sessionHandle, claim.addToPayload_internal({}, value, this.runtime.userContext(undefined, userContext)));
  }

  async getClaimValue<T>(
    sessionHandle: string,
    claim: SessionClaim<T>,
    userContext?: UserContext,
  ): Promise<{ status: 'OK'; value: T | undefined } | { status: 'SESSION_DOES_NOT_EXIST_ERROR' }> {
    const record = await this.runtime.store.find(sessionHandle, Date.now());
    if (!record) return { status: 'SESSION_DOES_NOT_EXIST_ERROR' };
    return { status: 'OK', value: claim.getValueFromPayload(record.accessTokenPayload, this.runtime.userContext(undefined, userContext)) };
  }

  removeClaim(sessionHandle: string, claim: SessionClaim<unknown>, userContext?: UserContext): Promise<boolean> {
    return this.merge(sessionHandle, claim.removeFromPayloadByMerge_internal({}, this.runtime.userContext(undefined, userContext)));
  }

  /** Validates in memory, then writes refetched values back (as `Session.assertClaims` does online). */
  async validateClaimsForSession<S extends OfflineSessionView>(
    session: S,
    override: ((globalValidators: SessionClaimValidator[], sessionInfo: S, userContext: UserContext) => SessionClaimValidator[] | Promise<SessionClaimValidator[]>) | undefined,
    userContext?: UserContext,
  ): Promise<{ status: 'OK'; invalidClaims: ClaimValidationError[] } | { status: 'SESSION_DOES_NOT_EXIST_ERROR' }> {
    const context = this.runtime.userContext(undefined, userContext);
    const globalValidators = await this.policy.globalValidators(session.userId, session.tenantId, context);
    const validators = override ? await override(globalValidators, session, context) : globalValidators;
    const result = await validateClaims(validators, session.customClaimsInAccessTokenPayload, session.userId, session.tenantId, context);
    if (Object.keys(result.update).length > 0) {
      // The same protected-key rule as every other write (a claim keyed `sub` is refused).
      assertNoProtectedKeys(result.update, true);
      const stored = await this.runtime.store.mergePayload(session.sessionHandle, withoutProtectedKeys(result.update), Date.now());
      if (!stored) return { status: 'SESSION_DOES_NOT_EXIST_ERROR' };
    }
    return { status: 'OK', invalidClaims: result.invalidClaims };
  }

  async validateClaimsInJWTPayload(
    tenantId: string,
    userId: string,
    jwtPayload: JSONObject,
    override: ((globalValidators: SessionClaimValidator[], userId: string, userContext: UserContext) => SessionClaimValidator[] | Promise<SessionClaimValidator[]>) | undefined,
    userContext?: UserContext,
  ): Promise<{ status: 'OK'; invalidClaims: ClaimValidationError[] }> {
    const context = this.runtime.userContext(undefined, userContext);
    const globalValidators = await this.policy.globalValidators(userId, tenantId, context);
    const validators = override ? await override(globalValidators, userId, context) : globalValidators;
    return { status: 'OK', invalidClaims: await runClaimValidators(validators, jwtPayload, context) };
  }
}
