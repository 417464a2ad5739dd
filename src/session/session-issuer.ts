import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { UserContext } from '../claims/types';
import type { SessionConfig } from '../config/session-config';
import type { CreateNewSessionInput, TokenTransferMethod } from '../config/session-module-options';
import type { JSONObject } from '../json';
import { clientMetadataOf } from '../devices/client-metadata';
import { SessionConfigError } from '../errors/session-config-error';
import { SessionLimitReachedError } from '../errors/session-limit-error';
import { SESSION_CONFIG } from '../session.constants';
import { assertIdentifier } from '../storage/identifier-limits';
import type { SessionRecord } from '../storage/session-record';
import { SessionStore } from '../storage/session-store';
import { AccessTokenIssuer } from '../tokens/access-token-issuer';
import { PayloadSizeGuard } from '../tokens/payload-size-guard';
import { assertNoProtectedKeys, withoutProtectedKeys } from '../tokens/protected-keys';
import { formatRefreshToken, type ParsedRefreshToken, refreshTokenHash1, refreshTokenStorageHash } from '../tokens/refresh-token';
import { randomSecret } from '../tokens/secrets';
import { newAntiCsrfToken } from '../transport/anti-csrf';
import type { HttpExchange } from '../transport/http-objects';
import { SessionEvents } from '../events/session-events';
import { ClaimPolicy } from './claim-policy';
import { revokedEvent } from './lifecycle-events';
import type { IssuedSession } from './online-sessions';
import { absoluteEndOf, sessionExpiryAt } from './session-lifetime';
import { assertStorableJson } from './storable-json';

/** What a new session is made of (the arguments of `createNewSession`). */
export interface NewSession {
  tenantId: string;
  userId: string;
  accessTokenPayload?: JSONObject | null;
  sessionDataInDatabase?: JSONObject | null;
  withAntiCsrfToken: boolean;
  /** How the tokens travel: the access token must fit its limit (`maxAccessTokenBytes`). */
  transferMethod: TokenTransferMethod;
  userContext?: UserContext;
}

/**
 * Issues sessions: creation stores a new session, and creation and every refresh end in the same
 * {@link issueForStoredSession} (a stored session plus its refresh token make the token set);
 * `OnlineSessions.deliver` then sends the tokens and opens the session object.
 */
@Injectable()
export class SessionIssuer {
  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly policy: ClaimPolicy,
    private readonly sizes: PayloadSizeGuard,
    private readonly events: SessionEvents,
  ) {
    if (config.sessionCap && typeof store.createWithinCap !== 'function') {
      throw new SessionConfigError('maxSessionsPerUser needs a session store with createWithinCap (the TypeORM store has it)');
    }
  }

  /**
   * Creates a session: the payload is the caller's, then the claims added on create, then the
   * `createNewSession` hook's changes; protected keys and JSON a database cannot store are refused
   * before anything is stored. The token is signed (and its size checked against the transfer
   * method's limit) before the row is written, so a session that cannot be issued is not stored.
   */
  async create(session: NewSession, exchange: HttpExchange): Promise<IssuedSession> {
    const { userId, tenantId } = session;
    assertIdentifier('userId', userId);
    assertIdentifier('tenantId', tenantId);
    assertStorableJson(session.accessTokenPayload, 'accessTokenPayload');
    assertStorableJson(session.sessionDataInDatabase, 'sessionDataInDatabase');
    const userContext = this.policy.userContext(exchange.request, session.userContext);
    // Deep copies: the caller's objects are never mutated, not even by a hook editing nested values in place.
    let input: CreateNewSessionInput = {
      userId,
      tenantId,
      accessTokenPayload: structuredClone(session.accessTokenPayload ?? {}),
      sessionDataInDatabase: structuredClone(session.sessionDataInDatabase ?? {}),
      userContext,
    };
    assertNoProtectedKeys(input.accessTokenPayload, false);
    for (const claim of this.policy.claimsForNewSessions()) {
      input.accessTokenPayload = { ...input.accessTokenPayload, ...(await claim.build(userId, tenantId, userContext)) };
    }
    if (this.config.createNewSession) input = (await this.config.createNewSession(input)) ?? input;
    // Again after the claims and the hook: what is stored is what must be storable.
    assertStorableJson(input.accessTokenPayload, 'accessTokenPayload');
    assertStorableJson(input.sessionDataInDatabase, 'sessionDataInDatabase');
    assertNoProtectedKeys(input.accessTokenPayload, false);

    const now = this.config.clock.now();
    const client = clientMetadataOf(exchange.request, this.config.deviceMetadata);
    const sessionHandle = randomUUID();
    const refresh: ParsedRefreshToken = { sessionHandle, generation: 0, secret: randomSecret() };
    const record: SessionRecord = {
      sessionHandle,
      userId,
      tenantId,
      refreshHash: refreshTokenStorageHash(formatRefreshToken(refresh)),
      refreshGeneration: 0,
      refreshSalt: randomSecret(),
      rotatedAt: now,
      antiCsrfToken: session.withAntiCsrfToken ? newAntiCsrfToken() : null,
      accessTokenPayload: withoutProtectedKeys(input.accessTokenPayload),
      sessionData: input.sessionDataInDatabase ?? {},
      payloadVersion: 1,
      createdAt: now,
      expiresAt: sessionExpiryAt(this.config, now, now),
      createdIp: client.ip,
      createdUserAgent: client.userAgent,
      lastIp: client.ip,
      lastUserAgent: client.userAgent,
    };
    const issued = await this.issueForStoredSession(record, refresh, undefined, this.sizes.tokenLimit(session.transferMethod));
    const cap = this.config.sessionCap;
    let evicted: string[] = [];
    if (!cap) {
      await this.store.create(record);
    } else {
      const outcome = await this.store.createWithinCap!(record, cap, now);
      if (!outcome.created) throw new SessionLimitReachedError(userId, tenantId, cap.max);
      evicted = outcome.evicted;
    }
    await this.events.emitAll([
      ...evicted.map((handle) => revokedEvent({ sessionHandle: handle, userId, tenantId }, 'cap', now)),
      { type: 'session.created', sessionHandle, userId, tenantId, at: now, ip: client.ip, userAgent: client.userAgent },
    ]);
    return { ...issued, evictedSessions: evicted };
  }

  /**
   * The tokens of a stored session whose current refresh token is `refresh` (`parent`: the one it
   * replaced); `PayloadTooLargeError` if the access token would pass `maxBytes`.
   */
  async issueForStoredSession(record: SessionRecord, refresh: ParsedRefreshToken, parent?: ParsedRefreshToken, maxBytes?: number): Promise<IssuedSession> {
    const refreshToken = formatRefreshToken(refresh);
    const issued = await this.accessTokens.issue(
      {
        sub: record.userId,
        tId: record.tenantId,
        rsub: record.userId,
        sessionHandle: record.sessionHandle,
        refreshTokenHash1: refreshTokenHash1(refreshToken),
        parentRefreshTokenHash1: parent ? refreshTokenHash1(formatRefreshToken(parent)) : null,
        antiCsrfToken: record.antiCsrfToken,
      },
      record.accessTokenPayload,
      undefined,
      maxBytes,
      absoluteEndOf(this.config, record.createdAt),
    );
    const sessionExpiresAt = sessionExpiryAt(this.config, record.createdAt, this.config.clock.now());
    return { ...issued, refreshToken, antiCsrfToken: record.antiCsrfToken, sessionExpiresAt };
  }
}
