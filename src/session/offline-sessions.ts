import { Inject, Injectable } from '@nestjs/common';
import type { SessionClaim } from '../claims/session-claim';
import type { ClaimValidationError, UserContext } from '../claims/types';
import { runClaimValidators, validateClaims } from '../claims/validate-claims';
import type { SessionConfig } from '../config/session-config';
import type { JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import { assertIdentifier, assertIdentifiers, assertOptionalIdentifier } from '../storage/identifier-limits';
import { SessionStore } from '../storage/session-store';
import { PayloadJwtSigner } from '../tokens/payload-jwt.signer';
import { PayloadSizeGuard } from '../tokens/payload-size-guard';
import { assertNoProtectedKeys, withoutProtectedKeys } from '../tokens/protected-keys';
import { ClaimPolicy, type ValidatorOverride } from './claim-policy';
import { assertStorableJson } from './storable-json';

/** `getSessionInformation(handle)`: what the database holds about a session. */
export interface SessionInformation {
  sessionHandle: string;
  userId: string;
  tenantId: string;
  sessionDataInDatabase: JSONObject;
  customClaimsInAccessTokenPayload: JSONObject;
  /** Session (refresh-token) expiry, epoch ms. */
  expiry: number;
  /** Creation time, epoch ms. */
  timeCreated: number;
}

/** The answer of offline claim reads and checks for an unknown or expired session. */
export type SessionDoesNotExist = { status: 'SESSION_DOES_NOT_EXIST_ERROR' };
/** The answer of claim validation by handle or payload. */
export type ClaimValidationAnswer = { status: 'OK'; invalidClaims: ClaimValidationError[] };

const DOES_NOT_EXIST: SessionDoesNotExist = { status: 'SESSION_DOES_NOT_EXIST_ERROR' };

/**
 * SuperTokens' offline forms: sessions by handle, from anywhere (jobs, admin APIs). Unknown or
 * expired handles answer `false` / `SESSION_DOES_NOT_EXIST_ERROR`; payload writes are single
 * atomic statements and reach the user at the next refresh (or sooner, see propagation).
 */
@Injectable()
export class OfflineSessions {
  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly payloadJwt: PayloadJwtSigner,
    private readonly policy: ClaimPolicy,
    private readonly sizes: PayloadSizeGuard,
  ) {}

  async revokeSession(sessionHandle: string): Promise<boolean> {
    assertIdentifier('sessionHandle', sessionHandle);
    return (await this.store.delete([sessionHandle])).length > 0;
  }

  async revokeMultipleSessions(sessionHandles: string[]): Promise<string[]> {
    assertIdentifiers('sessionHandle', sessionHandles, 'sessionHandles');
    return this.store.delete(sessionHandles);
  }

  async revokeAllSessionsForUser(userId: string, tenantId?: string): Promise<string[]> {
    assertIdentifier('userId', userId);
    assertOptionalIdentifier('tenantId', tenantId);
    return this.store.deleteForUser(userId, tenantId);
  }

  async getAllSessionHandlesForUser(userId: string, tenantId?: string): Promise<string[]> {
    assertIdentifier('userId', userId);
    assertOptionalIdentifier('tenantId', tenantId);
    return this.store.listHandlesForUser(userId, tenantId, this.config.clock.now());
  }

  async getSessionInformation(sessionHandle: string): Promise<SessionInformation | undefined> {
    assertIdentifier('sessionHandle', sessionHandle);
    const record = await this.store.find(sessionHandle, this.config.clock.now());
    if (!record) return undefined;
    return {
      sessionHandle: record.sessionHandle,
      userId: record.userId,
      tenantId: record.tenantId,
      sessionDataInDatabase: record.sessionData,
      customClaimsInAccessTokenPayload: await this.payloadJwt.addTo(record.userId, record.accessTokenPayload),
      expiry: record.expiresAt,
      timeCreated: record.createdAt,
    };
  }

  async updateSessionDataInDatabase(sessionHandle: string, data: JSONObject): Promise<boolean> {
    assertIdentifier('sessionHandle', sessionHandle);
    assertStorableJson(data, 'sessionDataInDatabase');
    return this.store.updateSessionData(sessionHandle, { ...(data ?? {}) }, this.config.clock.now());
  }

  /**
   * One atomic statement; protected keys and unstorable JSON are refused (`{ key: null }` for
   * protected keys is ignored), and so is a result whose token would pass the smaller token limit
   * (the session's transfer method is not known offline): `PayloadTooLargeError`, nothing written.
   */
  async mergeIntoAccessTokenPayload(sessionHandle: string, update: JSONObject): Promise<boolean> {
    assertIdentifier('sessionHandle', sessionHandle);
    assertStorableJson(update, 'accessTokenPayload');
    assertNoProtectedKeys(update ?? {}, true);
    return this.store.mergePayloadIfExists(sessionHandle, withoutProtectedKeys(update ?? {}), this.config.clock.now(), await this.sizes.limitFor());
  }

  /** The same on every live session of a user, all or none: one session past the limit refuses the whole write. */
  async mergeIntoAccessTokenPayloadForUser(userId: string, update: JSONObject, tenantId?: string): Promise<number> {
    assertIdentifier('userId', userId);
    assertOptionalIdentifier('tenantId', tenantId);
    assertStorableJson(update, 'accessTokenPayload');
    assertNoProtectedKeys(update ?? {}, true);
    return this.store.mergePayloadForUser(userId, tenantId, withoutProtectedKeys(update ?? {}), this.config.clock.now(), await this.sizes.limitFor());
  }

  async fetchAndSetClaim<T>(sessionHandle: string, claim: SessionClaim<T>, userContext?: UserContext): Promise<boolean> {
    assertIdentifier('sessionHandle', sessionHandle);
    const record = await this.store.find(sessionHandle, this.config.clock.now());
    if (!record) return false;
    const context = this.policy.userContext(undefined, userContext);
    const value = await claim.fetchValue(record.userId, record.tenantId, context);
    if (value === undefined) return true;
    return this.mergeIntoAccessTokenPayload(sessionHandle, claim.addToPayload_internal({}, value, context));
  }

  async setClaimValue<T>(sessionHandle: string, claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<boolean> {
    return this.mergeIntoAccessTokenPayload(sessionHandle, claim.addToPayload_internal({}, value, this.policy.userContext(undefined, userContext)));
  }

  async getClaimValue<T>(sessionHandle: string, claim: SessionClaim<T>, userContext?: UserContext): Promise<{ status: 'OK'; value: T | undefined } | SessionDoesNotExist> {
    assertIdentifier('sessionHandle', sessionHandle);
    const record = await this.store.find(sessionHandle, this.config.clock.now());
    if (!record) return DOES_NOT_EXIST;
    return { status: 'OK', value: claim.getValueFromPayload(record.accessTokenPayload, this.policy.userContext(undefined, userContext)) };
  }

  async removeClaim(sessionHandle: string, claim: SessionClaim<unknown>, userContext?: UserContext): Promise<boolean> {
    return this.mergeIntoAccessTokenPayload(sessionHandle, claim.removeFromPayloadByMerge_internal({}, this.policy.userContext(undefined, userContext)));
  }

  /** Validates the stored payload in memory, then writes refetched values back (as `assertClaims` does online). */
  async validateClaimsForSessionHandle(
    sessionHandle: string,
    override?: ValidatorOverride<SessionInformation>,
    userContext?: UserContext,
  ): Promise<ClaimValidationAnswer | SessionDoesNotExist> {
    assertIdentifier('sessionHandle', sessionHandle);
    const session = await this.getSessionInformation(sessionHandle);
    if (!session) return DOES_NOT_EXIST;
    const context = this.policy.userContext(undefined, userContext);
    const validators = await this.policy.validatorsFor(session, session, override, context);
    const result = await validateClaims(validators, session.customClaimsInAccessTokenPayload, session.userId, session.tenantId, context);
    if (Object.keys(result.update).length > 0) {
      // The same rules as every other write (a claim keyed `sub` is refused).
      assertStorableJson(result.update, 'accessTokenPayload');
      assertNoProtectedKeys(result.update, true);
      const stored = await this.store.mergePayload(session.sessionHandle, withoutProtectedKeys(result.update), this.config.clock.now(), await this.sizes.limitFor());
      if (!stored) return DOES_NOT_EXIST;
    }
    return { status: 'OK', invalidClaims: result.invalidClaims };
  }

  /** Validates a JWT payload (e.g. from another service) against the global validators or an override; no refetch. */
  async validateClaimsInJWTPayload(
    tenantId: string,
    userId: string,
    jwtPayload: JSONObject,
    override?: ValidatorOverride<string>,
    userContext?: UserContext,
  ): Promise<ClaimValidationAnswer> {
    assertIdentifier('tenantId', tenantId);
    assertIdentifier('userId', userId);
    const context = this.policy.userContext(undefined, userContext);
    const validators = await this.policy.validatorsFor({ userId, tenantId }, userId, override, context);
    return { status: 'OK', invalidClaims: await runClaimValidators(validators, jwtPayload, context) };
  }
}
