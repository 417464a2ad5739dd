import { Inject, Injectable, Optional } from '@nestjs/common';
import type { SessionClaim } from '../claims/session-claim';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { UserContext } from '../claims/types';
import type { SessionConfig } from '../config/session-config';
import type { SessionDevice } from '../devices/session-device';
import type { FeedStats } from '../feed/feed-stats';
import { RevocationFeed } from '../feed/revocation-feed';
import type { JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import { assertIdentifier } from '../storage/identifier-limits';
import { AccessTokenService } from '../tokens/access-token.service';
import { type JsonWebKeySet, SigningKeyService } from '../tokens/signing-key.service';
import type { VerifiedTokenCacheStats } from '../tokens/verified-token-cache';
import { needsAntiCsrfToken } from '../transport/anti-csrf';
import type { RequestLike, ResponseLike } from '../transport/http-objects';
import { TokenTransport } from '../transport/token-transport';
import { FreshAuthClaim } from './built-in-claims/fresh-auth.claim';
import { ClaimPolicy, type ValidatorOverride } from './claim-policy';
import { type ClaimValidationAnswer, OfflineSessions, type SessionDoesNotExist, type SessionInformation } from './offline-sessions';
import { OnlineSessions } from './online-sessions';
import { SessionCleanup } from './session-cleanup';
import type { SessionContainer } from './session-container';
import { SessionIssuer } from './session-issuer';
import { SessionRefresher } from './session-refresher';
import { SessionVerifier } from './session-verifier';
import type { VerifySessionOptions } from './verify-session-options';

/**
 * SuperTokens' session API for one app: the online forms (with the request and response) and
 * the offline forms (by session handle). A facade: issuing, refresh, verification and the
 * offline operations live in their own providers of `src/session/`.
 */
@Injectable()
export class SessionService {
  /** Request property the guard attaches the session to (the `requestProperty` option). */
  readonly requestProperty: string;

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    private readonly transport: TokenTransport,
    private readonly issuer: SessionIssuer,
    private readonly online: OnlineSessions,
    private readonly refresher: SessionRefresher,
    private readonly verifier: SessionVerifier,
    private readonly offline: OfflineSessions,
    private readonly policy: ClaimPolicy,
    private readonly keys: SigningKeyService,
    private readonly cleanupTask: SessionCleanup,
    private readonly accessTokens: AccessTokenService,
    @Optional() private readonly feed?: RevocationFeed,
  ) {
    this.requestProperty = config.requestProperty;
  }

  /**
   * Creates a session and writes its tokens to the response (`st-auth-mode` picks cookies or
   * headers). `TPayload` (inferred from the payload, or given) types the returned session.
   */
  async createNewSession<TPayload extends object = JSONObject>(
    request: unknown,
    response: unknown,
    tenantId: string,
    userId: string,
    accessTokenPayload?: (TPayload & JSONObject) | null,
    sessionDataInDatabase?: JSONObject | null,
    userContext?: UserContext,
  ): Promise<SessionContainer<TPayload>> {
    const exchange = { request: request as RequestLike, response: response as ResponseLike };
    const transferMethod = this.transport.methodForNewSession(exchange.request);
    const withAntiCsrfToken = needsAntiCsrfToken(this.config.antiCsrf, transferMethod);
    const issued = await this.issuer.create({ tenantId, userId, accessTokenPayload, sessionDataInDatabase, withAntiCsrfToken, transferMethod, userContext }, exchange);
    return this.online.deliver(issued, transferMethod, exchange) as unknown as SessionContainer<TPayload>;
  }

  /** Creates a session without a request; read the tokens with `getAllSessionTokensDangerously()`. */
  async createNewSessionWithoutRequestResponse<TPayload extends object = JSONObject>(
    tenantId: string,
    userId: string,
    accessTokenPayload?: (TPayload & JSONObject) | null,
    sessionDataInDatabase?: JSONObject | null,
    disableAntiCsrf = false,
    userContext?: UserContext,
  ): Promise<SessionContainer<TPayload>> {
    const withAntiCsrfToken = !disableAntiCsrf && this.config.antiCsrf === 'VIA_TOKEN';
    const issued = await this.issuer.create(
      { tenantId, userId, accessTokenPayload, sessionDataInDatabase, withAntiCsrfToken, transferMethod: 'header', userContext },
      {},
    );
    return this.online.deliver(issued, 'header', {}) as unknown as SessionContainer<TPayload>;
  }

  /**
   * The session of a request, verified without a database query (unless `checkDatabase`), with
   * claim validators applied. Throws 401/403 `SessionError`s; `undefined` only when
   * `sessionRequired: false` and the request has no access token.
   */
  getSession<TPayload extends object = JSONObject>(
    request: unknown,
    response: unknown,
    options: VerifySessionOptions = {},
  ): Promise<SessionContainer<TPayload> | undefined> {
    return this.verifier.verifyRequest(request as RequestLike, response as ResponseLike | undefined, options) as unknown as Promise<SessionContainer<TPayload> | undefined>;
  }

  /**
   * @internal The guard's form of {@link getSession}: the route's `@RequireClaim` validators run
   * after the global ones, and the answer is synchronous when nothing needs awaiting (refusals
   * are then thrown). Not part of the public API.
   */
  verifyForRoute(
    request: unknown,
    response: unknown,
    options: VerifySessionOptions,
    requiredClaims: readonly SessionClaimValidator[],
  ): SessionContainer | undefined | Promise<SessionContainer | undefined> {
    return this.verifier.verifyRoute(request as RequestLike, response as ResponseLike | undefined, options, requiredClaims);
  }

  /**
   * How full the cache of verified access tokens is: entries and estimated bytes, against the
   * `verifiedTokenCacheSize` / `verifiedTokenCacheBytes` bounds (for monitoring).
   */
  getVerifiedTokenCacheStats(): VerifiedTokenCacheStats {
    return this.accessTokens.cacheStats();
  }

  /** Verifies an access token given directly (e.g. from a WebSocket handshake); anything but a token string is unauthorised. */
  getSessionWithoutRequestResponse<TPayload extends object = JSONObject>(
    accessToken: string,
    antiCsrfToken?: string,
    options: VerifySessionOptions = {},
  ): Promise<SessionContainer<TPayload>> {
    return this.verifier.verifyAccessToken(accessToken, antiCsrfToken, options) as unknown as Promise<SessionContainer<TPayload>>;
  }

  /** The validators every guarded route checks for this user (the `globalClaimValidators` option). */
  async getGlobalClaimValidators(userId: string, tenantId: string, userContext: UserContext = {}): Promise<SessionClaimValidator[]> {
    assertIdentifier('userId', userId);
    assertIdentifier('tenantId', tenantId);
    return this.policy.globalValidators(userId, tenantId, this.policy.userContext(userContext.request, userContext));
  }

  /** Rotates the refresh token of the request and sends new tokens (the refresh route calls this). */
  refreshSession(request: unknown, response: unknown): Promise<SessionContainer> {
    return this.refresher.refreshRequest(request as RequestLike, response as ResponseLike);
  }

  /** Rotates a refresh token given directly; read the new tokens with `getAllSessionTokensDangerously()`. */
  refreshSessionWithoutRequestResponse(refreshToken: string, disableAntiCsrf = false, antiCsrfToken?: string): Promise<SessionContainer> {
    return this.refresher.refreshToken(refreshToken, disableAntiCsrf, antiCsrfToken);
  }

  /** Revokes one session; false if it did not exist. */
  revokeSession(sessionHandle: string): Promise<boolean> {
    return this.offline.revokeSession(sessionHandle);
  }

  /** Revokes several sessions; returns the handles that existed. */
  revokeMultipleSessions(sessionHandles: string[]): Promise<string[]> {
    return this.offline.revokeMultipleSessions(sessionHandles);
  }

  /** Revokes every session of a user (optionally in one tenant); returns their handles. */
  revokeAllSessionsForUser(userId: string, tenantId?: string): Promise<string[]> {
    return this.offline.revokeAllSessionsForUser(userId, tenantId);
  }

  /**
   * A user's live sessions with device metadata (created, last refresh, IP, user agent, parsed
   * device), newest first, in one query. Pass the request's session to mark it `current: true`
   * (or call `session.listSessions()` in a guarded route).
   */
  listSessionsForUser(userId: string, tenantId?: string, current?: SessionContainer | string): Promise<SessionDevice[]> {
    const handle = typeof current === 'string' ? current : current?.getHandle();
    return this.offline.listSessionsForUser(userId, tenantId, handle);
  }

  /**
   * Revokes one session only if it belongs to `userId` (and `tenantId` when given): the owner is
   * checked in the DELETE itself, so a handle sent by a client cannot sign out someone else.
   */
  revokeSessionForUser(userId: string, sessionHandle: string, tenantId?: string): Promise<boolean> {
    return this.offline.revokeSessionForUser(userId, sessionHandle, tenantId);
  }

  /** Revokes every session of a user except `keepSessionHandle`; returns the handles revoked. */
  revokeOtherSessionsForUser(userId: string, keepSessionHandle: string, tenantId?: string): Promise<string[]> {
    return this.offline.revokeOtherSessionsForUser(userId, keepSessionHandle, tenantId);
  }

  /**
   * "Password changed: sign out everywhere else": revokes every other session of the user in
   * the session's tenant and keeps this one. Call it after storing the new password.
   */
  afterPasswordChange(session: SessionContainer): Promise<string[]> {
    return session.revokeOtherSessions();
  }

  /** Records a re-authentication of a session now (offline form of `session.markFreshAuth()`); false if unknown. */
  markFreshAuth(sessionHandle: string): Promise<boolean> {
    return this.offline.fetchAndSetClaim(sessionHandle, FreshAuthClaim);
  }

  /** Handles of a user's live (non-expired) sessions. */
  getAllSessionHandlesForUser(userId: string, tenantId?: string): Promise<string[]> {
    return this.offline.getAllSessionHandlesForUser(userId, tenantId);
  }

  /** What the database holds about a session; `undefined` if unknown or expired. */
  getSessionInformation(sessionHandle: string): Promise<SessionInformation | undefined> {
    return this.offline.getSessionInformation(sessionHandle);
  }

  /** Replaces a session's private data; false if unknown or expired. */
  updateSessionDataInDatabase(sessionHandle: string, data: JSONObject): Promise<boolean> {
    return this.offline.updateSessionDataInDatabase(sessionHandle, data);
  }

  /**
   * Merges into a session's stored payload (top-level; `null` removes a key) in one atomic
   * statement; false if unknown or expired. The user sees it at the next refresh, or sooner
   * with `checkDatabase` routes and `propagatePayloadChanges`.
   */
  mergeIntoAccessTokenPayload(sessionHandle: string, update: JSONObject): Promise<boolean> {
    return this.offline.mergeIntoAccessTokenPayload(sessionHandle, update);
  }

  /** The same merge on every live session of a user (optionally one tenant), in one statement; returns how many. */
  mergeIntoAccessTokenPayloadForUser(userId: string, update: JSONObject, tenantId?: string): Promise<number> {
    return this.offline.mergeIntoAccessTokenPayloadForUser(userId, update, tenantId);
  }

  /** Fetches a claim and stores it in a session's payload; false if the session is unknown. */
  fetchAndSetClaim<T>(sessionHandle: string, claim: SessionClaim<T>, userContext?: UserContext): Promise<boolean> {
    return this.offline.fetchAndSetClaim(sessionHandle, claim, userContext);
  }

  /** Stores a claim value in a session's payload; false if the session is unknown. */
  setClaimValue<T>(sessionHandle: string, claim: SessionClaim<T>, value: NoInfer<T>, userContext?: UserContext): Promise<boolean> {
    return this.offline.setClaimValue(sessionHandle, claim, value, userContext);
  }

  /** A claim's value in a session's stored payload. */
  getClaimValue<T>(sessionHandle: string, claim: SessionClaim<T>, userContext?: UserContext): Promise<{ status: 'OK'; value: T | undefined } | SessionDoesNotExist> {
    return this.offline.getClaimValue(sessionHandle, claim, userContext);
  }

  /** Removes a claim from a session's stored payload; false if the session is unknown. */
  removeClaim(sessionHandle: string, claim: SessionClaim<unknown>, userContext?: UserContext): Promise<boolean> {
    return this.offline.removeClaim(sessionHandle, claim, userContext);
  }

  /**
   * Validates a session's stored payload against the global validators (or an override),
   * refetching stale claims and writing them back, so the next refresh carries them.
   */
  validateClaimsForSessionHandle(
    sessionHandle: string,
    overrideGlobalClaimValidators?: ValidatorOverride<SessionInformation>,
    userContext?: UserContext,
  ): Promise<ClaimValidationAnswer | SessionDoesNotExist> {
    return this.offline.validateClaimsForSessionHandle(sessionHandle, overrideGlobalClaimValidators, userContext);
  }

  /** Validates a JWT payload (e.g. from another service) against the global validators or an override; no refetch. */
  validateClaimsInJWTPayload(
    tenantId: string,
    userId: string,
    jwtPayload: JSONObject,
    overrideGlobalClaimValidators?: ValidatorOverride<string>,
    userContext?: UserContext,
  ): Promise<ClaimValidationAnswer> {
    return this.offline.validateClaimsInJWTPayload(tenantId, userId, jwtPayload, overrideGlobalClaimValidators, userContext);
  }

  /** The public signing keys (what `{apiBasePath}/jwt/jwks.json` serves). */
  getJWKS(): JsonWebKeySet {
    return this.keys.getJWKS();
  }

  /** Starts a new signing-key generation now (old keys keep verifying until their tokens expire). */
  rotateSigningKey(): Promise<unknown> {
    return this.keys.rotate();
  }

  /** Deletes expired sessions and retired signing keys (also runs every `cleanupInterval`). */
  cleanup(): Promise<{ sessions: number; keys: number }> {
    return this.cleanupTask.run();
  }

  /**
   * The revocation feed's state on this instance (`revocationFeed` option): revoked handles held
   * and their estimated memory, changed sessions, whether it is degraded (reading the database
   * for every request), sequence and gap counters. `undefined` when the feed is off.
   */
  getRevocationFeedStats(): FeedStats | undefined {
    return this.feed?.stats();
  }
}
