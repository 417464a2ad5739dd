import { Inject, Injectable } from '@nestjs/common';
import type { SessionClaim } from '../claims/session-claim';
import type { ClaimValidationError, UserContext } from '../claims/types';
import { runClaimValidators, validateClaims } from '../claims/validate-claims';
import type { SessionConfig } from '../config/session-config';
import { type SessionDevice, toSessionDevice } from '../devices/session-device';
import type { JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import { assertIdentifier, assertIdentifiers, assertOptionalIdentifier } from '../storage/identifier-limits';
import { SessionStore } from '../storage/session-store';
import { PayloadJwtSigner } from '../tokens/payload-jwt.signer';
import { PayloadSizeGuard } from '../tokens/payload-size-guard';
import { assertNoProtectedKeys, withoutProtectedKeys } from '../tokens/protected-keys';
import { SessionEvents } from '../events/session-events';
import type { SessionRevokeReason } from '../events/session-event';
import type { SessionRecord } from '../storage/session-record';
import { ClaimPolicy, type ValidatorOverride } from './claim-policy';
import { assertStorableJson } from './storable-json';
import { revokedEvent } from './lifecycle-events';
import { absoluteEndOf } from './session-lifetime';

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
  /** Last refresh (the creation until the first refresh), epoch ms. */
  lastRefreshedAt: number;
  /** When the idle timeout (`refreshTokenValidity` after the last refresh) ends the session, epoch ms. */
  idleExpiry: number;
  /** When `absoluteSessionLifetime` ends the session whatever its refreshes, epoch ms; undefined without one. */
  absoluteExpiry: number | undefined;
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
    private readonly events: SessionEvents,
  ) {}

  async revokeSession(sessionHandle: string): Promise<boolean> {
    assertIdentifier('sessionHandle', sessionHandle);
    return (await this.revokeHandles([sessionHandle])).length > 0;
  }

  async revokeMultipleSessions(sessionHandles: string[]): Promise<string[]> {
    assertIdentifiers('sessionHandle', sessionHandles, 'sessionHandles');
    return this.revokeHandles(sessionHandles);
  }

  async revokeAllSessionsForUser(userId: string, tenantId?: string): Promise<string[]> {
    assertIdentifier('userId', userId);
    assertOptionalIdentifier('tenantId', tenantId);
    // With listeners, read the sessions first: the events name their tenants.
    const sessions = this.events.active ? await this.store.listForUser(userId, tenantId, 0) : [];
    const deleted = await this.store.deleteForUser(userId, tenantId);
    await this.reportRevoked(sessions, deleted, 'admin');
    return deleted;
  }

  /** Deletes by handle; with listeners, the sessions are read first so the events say whose they were. */
  private async revokeHandles(sessionHandles: string[]): Promise<string[]> {
    if (!this.events.active) return this.store.delete(sessionHandles);
    const sessions = (await Promise.all([...new Set(sessionHandles)].map((handle) => this.store.find(handle, 0)))).filter((s) => s !== undefined);
    const deleted = await this.store.delete(sessionHandles);
    await this.reportRevoked(sessions, deleted, 'admin');
    return deleted;
  }

  private async reportRevoked(sessions: SessionRecord[], deleted: string[], reason: SessionRevokeReason): Promise<void> {
    const now = this.config.clock.now();
    const gone = new Set(deleted);
    await this.events.emitAll(sessions.filter((s) => gone.has(s.sessionHandle)).map((s) => revokedEvent(s, reason, now)));
  }

  async listSessionsForUser(userId: string, tenantId: string | undefined, currentSessionHandle?: string): Promise<SessionDevice[]> {
    assertIdentifier('userId', userId);
    assertOptionalIdentifier('tenantId', tenantId);
    const records = await this.store.listForUser(userId, tenantId, this.config.clock.now());
    return records.map((record) => toSessionDevice(record, currentSessionHandle));
  }

  async revokeOtherSessionsForUser(userId: string, keepSessionHandle: string, tenantId?: string): Promise<string[]> {
    assertIdentifier('userId', userId);
    assertIdentifier('sessionHandle', keepSessionHandle);
    assertOptionalIdentifier('tenantId', tenantId);
    const sessions = this.events.active ? await this.store.listForUser(userId, tenantId, 0) : [];
    const deleted = await this.store.deleteForUserExcept(userId, tenantId, keepSessionHandle);
    await this.reportRevoked(sessions, deleted, 'other-sessions');
    return deleted;
  }

  async revokeSessionForUser(userId: string, sessionHandle: string, tenantId?: string): Promise<boolean> {
    assertIdentifier('userId', userId);
    assertIdentifier('sessionHandle', sessionHandle);
    assertOptionalIdentifier('tenantId', tenantId);
    const session = this.events.active ? await this.store.find(sessionHandle, 0) : undefined;
    const deleted = await this.store.deleteOfUser(sessionHandle, userId, tenantId);
    if (deleted && session) await this.reportRevoked([session], [sessionHandle], 'admin');
    return deleted;
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
      lastRefreshedAt: record.rotatedAt,
      idleExpiry: record.rotatedAt + this.config.refreshTokenValidity * 1000,
      absoluteExpiry: absoluteEndOf(this.config, record.createdAt),
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
    const clean = withoutProtectedKeys(update ?? {});
    const merged = await this.store.mergePayloadIfExists(sessionHandle, clean, this.config.clock.now(), await this.sizes.limitFor());
    if (merged) await this.reportPayloadChange({ sessionHandle, userId: null, tenantId: null }, clean);
    return merged;
  }

  private async reportPayloadChange(
    session: { sessionHandle: string | null; userId: string | null; tenantId: string | null },
    update: JSONObject,
  ): Promise<void> {
    if (!this.events.active) return;
    await this.events.emit({ type: 'session.payload-changed', ...session, keys: Object.keys(update), mode: 'offline', at: this.config.clock.now() });
  }

  /** The same on every live session of a user, all or none: one session past the limit refuses the whole write. */
  async mergeIntoAccessTokenPayloadForUser(userId: string, update: JSONObject, tenantId?: string): Promise<number> {
    assertIdentifier('userId', userId);
    assertOptionalIdentifier('tenantId', tenantId);
    assertStorableJson(update, 'accessTokenPayload');
    assertNoProtectedKeys(update ?? {}, true);
    const clean = withoutProtectedKeys(update ?? {});
    const changed = await this.store.mergePayloadForUser(userId, tenantId, clean, this.config.clock.now(), await this.sizes.limitFor());
    if (changed > 0) await this.reportPayloadChange({ sessionHandle: null, userId, tenantId: tenantId ?? null }, clean);
    return changed;
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
      const clean = withoutProtectedKeys(result.update);
      const stored = await this.store.mergePayload(session.sessionHandle, clean, this.config.clock.now(), await this.sizes.limitFor());
      if (!stored) return DOES_NOT_EXIST;
      await this.reportPayloadChange(session, clean);
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
