import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { randomBytes, randomUUID } from 'node:crypto';
import { ClaimPolicy } from './claim-policy';
import { OfflineClaims } from './offline-claims';
import type { SessionClaim } from '../claims/session-claim';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { ClaimValidationError } from '../claims/types';
import type { JSONObject } from '../json';
import type { UserContext } from '../claims/types';
import type { SessionConfig } from '../config/session-config';
import type { CreateNewSessionInput, TokenTransferMethod } from '../config/session-module-options';
import { SessionErrorFactory } from './session-error-factory';
import type { VerifySessionOptions } from './verify-session-options';
import { Session, type SessionContainer } from './session-container';
import { SessionRefresher } from './session-refresher';
import type { SessionRuntime } from './session-runtime';
import { SESSION_CONFIG } from '../config/injection-tokens';
import { SessionStore } from '../storage/session-store';
import { AccessTokenService, InvalidAccessTokenError } from '../tokens/access-token.service';
import type { AccessTokenPayload } from '../tokens/access-token-payload';
import { assertNoProtectedKeys, customClaimsOf, withoutProtectedKeys } from '../tokens/protected-keys';
import { PayloadJwtSigner } from '../tokens/payload-jwt.signer';
import { PayloadRecheckSchedule } from './payload-recheck-schedule';
import { jsonEqual } from '../json';
import { formatRefreshToken, refreshTokenHash1, refreshTokenStorageHash } from '../tokens/refresh-token';
import { secretsEqual, randomSecret } from '../tokens/secrets';
import { AccessTokenIssuer } from '../tokens/access-token-issuer';
import { type JsonWebKeySet, SigningKeyService } from '../tokens/signing-key.service';
import { checkAntiCsrf } from '../transport/anti-csrf';
import { type HttpExchange, requestHeader, type RequestLike, type ResponseLike } from '../transport/http-objects';
import { WIRE } from '../transport/token-names';
import { TokenTransport } from '../transport/token-transport';

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

/**
 * Creates, verifies, refreshes and revokes sessions; the online (request/response) and offline
 * (by session handle) forms of SuperTokens' session API.
 */
@Injectable()
export class SessionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionService');
  private readonly transport: TokenTransport;
  private readonly errors: SessionErrorFactory;
  private readonly runtime: SessionRuntime;
  private cleanupTimer?: NodeJS.Timeout;
  /** Request property the guard attaches the session to (the `requestProperty` option). */
  readonly requestProperty: string;
  private readonly checkSchedule?: PayloadRecheckSchedule;
  private readonly policy: ClaimPolicy;
  private readonly offlineClaims: OfflineClaims;
  private readonly refresher: SessionRefresher;

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly issuer: AccessTokenIssuer,
    private readonly accessTokens: AccessTokenService,
    private readonly keys: SigningKeyService,
    private readonly payloadJwt: PayloadJwtSigner,
    private readonly moduleRef: ModuleRef,
  ) {
    this.requestProperty = config.requestProperty;
    this.checkSchedule =
      config.propagationIntervalSeconds === undefined ? undefined : new PayloadRecheckSchedule(config.propagationIntervalSeconds * 1000);
    this.transport = new TokenTransport(config);
    this.errors = new SessionErrorFactory(config, this.transport);
    this.runtime = {
      config,
      store,
      issuer,
      transport: this.transport,
      errors: this.errors,
      userContext: (request, extra) => ({ ...extra, moduleRef: this.moduleRef, ...(request === undefined ? {} : { request }) }),
    };
    this.refresher = new SessionRefresher(this.runtime);
    this.policy = new ClaimPolicy(config);
    this.offlineClaims = new OfflineClaims(this.runtime, this.policy, (handle, update) => this.mergeIntoAccessTokenPayload(handle, update));
  }

  async onModuleInit(): Promise<void> {
    await this.keys.initialise();
    if (this.config.cleanupInterval > 0) {
      this.cleanupTimer = setInterval(() => void this.cleanup(), this.config.cleanupInterval * 1000);
      this.cleanupTimer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
  }

  // ---- creation -------------------------------------------------------------------------

  /** Creates a session and writes its tokens to the response (`st-auth-mode` picks cookies or headers). */
  async createNewSession(
    request: unknown,
    response: unknown,
    tenantId: string,
    userId: string,
    accessTokenPayload?: JSONObject | null,
    sessionDataInDatabase?: JSONObject | null,
    userContext?: UserContext,
  ): Promise<SessionContainer> {
    const req = request as RequestLike;
    const res = response as ResponseLike;
    const transferMethod = this.transport.methodForNewSession(req);
    const session = await this.create(tenantId, userId, accessTokenPayload, sessionDataInDatabase, {
      transferMethod,
      useAntiCsrf: transferMethod === 'cookie' && this.config.antiCsrf === 'VIA_TOKEN',
      request: req,
      response: res,
      userContext,
    });
    this.clearOtherMethods(req, res, transferMethod);
    this.sendAllTokens(res, transferMethod, session);
    return session;
  }

  /** Tokens of an older session in the other transfer method would shadow the new ones. */
  private clearOtherMethods(req: RequestLike, res: ResponseLike, transferMethod: TokenTransferMethod): void {
    const stale = this.transport.methodsCarried(req).filter((m) => m !== transferMethod);
    if (stale.length > 0) this.transport.clearTokens(res, stale);
  }

  /** Access, refresh and anti-CSRF tokens of a new or refreshed session, with the refresh cookie's expiry. */
  private sendAllTokens(res: ResponseLike, transferMethod: TokenTransferMethod, session: SessionContainer): void {
    const tokens = session.getAllSessionTokensDangerously();
    this.transport.writeTokens(res, transferMethod, {
      accessToken: tokens.accessToken,
      frontToken: tokens.frontToken,
      refreshToken: tokens.refreshToken,
      refreshTokenExpiresAt: Date.now() + this.config.refreshTokenValidity * 1000,
      antiCsrfToken: tokens.antiCsrfToken,
    });
  }

  /** Creates a session without a request; read the tokens with `getAllSessionTokensDangerously()`. */
  async createNewSessionWithoutRequestResponse(
    tenantId: string,
    userId: string,
    accessTokenPayload?: JSONObject | null,
    sessionDataInDatabase?: JSONObject | null,
    disableAntiCsrf = false,
    userContext?: UserContext,
  ): Promise<SessionContainer> {
    return this.create(tenantId, userId, accessTokenPayload, sessionDataInDatabase, {
      transferMethod: 'header',
      useAntiCsrf: !disableAntiCsrf && this.config.antiCsrf === 'VIA_TOKEN',
      userContext,
    });
  }

  private async create(
    tenantId: string,
    userId: string,
    accessTokenPayload: JSONObject | null | undefined,
    sessionDataInDatabase: JSONObject | null | undefined,
    how: { transferMethod: TokenTransferMethod; useAntiCsrf: boolean; request?: RequestLike; response?: ResponseLike; userContext?: UserContext },
  ): Promise<Session> {
    if (typeof userId !== 'string' || userId.length === 0) throw new TypeError('createNewSession: userId must be a non-empty string');
    if (typeof tenantId !== 'string' || tenantId.length === 0) throw new TypeError('createNewSession: tenantId must be a non-empty string');
    const userContext = this.runtime.userContext(how.request, how.userContext);
    // Deep copies: the caller's objects are never mutated, not even by a hook editing nested values in place.
    let input: CreateNewSessionInput = {
      userId,
      tenantId,
      accessTokenPayload: structuredClone(accessTokenPayload ?? {}),
      sessionDataInDatabase: structuredClone(sessionDataInDatabase ?? {}),
      userContext,
    };
    assertNoProtectedKeys(input.accessTokenPayload, false);
    for (const claim of this.policy.claimsForNewSessions()) {
      input.accessTokenPayload = { ...input.accessTokenPayload, ...(await claim.build(userId, tenantId, userContext)) };
    }
    if (this.config.createNewSession) input = (await this.config.createNewSession(input)) ?? input;
    assertNoProtectedKeys(input.accessTokenPayload, false);
    const custom = withoutProtectedKeys(input.accessTokenPayload);

    const now = Date.now();
    const sessionHandle = randomUUID();
    const refresh = { sessionHandle, generation: 0, secret: randomSecret() };
    const refreshToken = formatRefreshToken(refresh);
    const antiCsrfToken = how.useAntiCsrf ? randomBytes(24).toString('base64url') : null;
    const issued = await this.issuer.issue(
      {
        sub: userId,
        tId: tenantId,
        rsub: userId,
        sessionHandle,
        refreshTokenHash1: refreshTokenHash1(refreshToken),
        parentRefreshTokenHash1: null,
        antiCsrfToken,
      },
      custom,
    );
    await this.store.create({
      sessionHandle,
      userId,
      tenantId,
      refreshHash: refreshTokenStorageHash(refreshToken),
      refreshGeneration: 0,
      refreshSalt: randomSecret(),
      rotatedAt: now,
      antiCsrfToken,
      accessTokenPayload: custom,
      sessionData: input.sessionDataInDatabase ?? {},
      payloadVersion: 1,
      createdAt: now,
      expiresAt: now + this.config.refreshTokenValidity * 1000,
    });
    return new Session(this.runtime, {
      accessToken: issued.accessToken,
      payload: issued.payload,
      frontToken: issued.frontToken,
      refreshToken,
      antiCsrfToken,
      accessAndFrontTokenUpdated: true,
      transferMethod: how.transferMethod,
      request: how.request,
      response: how.response,
    });
  }

  // ---- verification ---------------------------------------------------------------------

  /**
   * The session of a request, verified without a database query (unless `checkDatabase`), with
   * claim validators applied. Throws 401/403 `SessionError`s; `undefined` only when
   * `sessionRequired: false` and the request has no access token.
   */
  async getSession(request: unknown, response: unknown, options: VerifySessionOptions = {}): Promise<SessionContainer | undefined> {
    const req = request as RequestLike;
    const res = response as ResponseLike | undefined;
    const scene: HttpExchange = { request: req, response: res };
    const found = this.transport.readAccessToken(req);
    if (!found) {
      if (options.sessionRequired === false) return undefined;
      throw this.errors.unauthorised(scene, 'session does not exist', false);
    }
    const payload = await this.verifyAccessToken(found.token, scene);
    const antiCsrf = checkAntiCsrf({
      mode: this.config.antiCsrf,
      request: req,
      transferMethod: found.transferMethod,
      expectedToken: payload.antiCsrfToken,
      antiCsrfCheck: options.antiCsrfCheck,
    });
    if (antiCsrf === 'missing-custom-header') {
      throw this.errors.unauthorised(scene, "anti-csrf check failed: send the 'rid' header", false);
    }
    if (antiCsrf === 'token-mismatch') throw this.errors.tryRefreshToken(scene, 'anti-csrf check failed');
    return this.openVerified(found.token, payload, found.transferMethod, scene, options);
  }

  /** Verifies an access token given directly (e.g. from a WebSocket handshake). */
  async getSessionWithoutRequestResponse(
    accessToken: string,
    antiCsrfToken?: string,
    options: VerifySessionOptions = {},
  ): Promise<SessionContainer> {
    const scene: HttpExchange = {};
    const payload = await this.verifyAccessToken(accessToken, scene);
    // As SuperTokens: checked unless turned off, for sessions that have an anti-CSRF token
    // (cookie sessions under VIA_TOKEN); header sessions never get one.
    if (options.antiCsrfCheck !== false && this.config.antiCsrf === 'VIA_TOKEN' && payload.antiCsrfToken) {
      if (!antiCsrfToken || !secretsEqual(antiCsrfToken, payload.antiCsrfToken)) {
        throw this.errors.tryRefreshToken(scene, 'anti-csrf check failed');
      }
    }
    return (await this.openVerified(accessToken, payload, 'header', scene, options))!;
  }

  private async verifyAccessToken(token: string, scene: HttpExchange): Promise<AccessTokenPayload> {
    try {
      return await this.accessTokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) throw this.errors.tryRefreshToken(scene);
      throw error;
    }
  }

  private async openVerified(
    accessToken: string,
    payload: AccessTokenPayload,
    transferMethod: TokenTransferMethod,
    scene: HttpExchange,
    options: VerifySessionOptions,
  ): Promise<SessionContainer> {
    const now = Date.now();
    // The database is read only when asked (checkDatabase) or when propagation is due for this session.
    const readDatabase = options.checkDatabase === true || (this.checkSchedule?.takeIfDue(payload.sessionHandle, now) ?? false);
    const record = readDatabase ? await this.store.find(payload.sessionHandle, now) : undefined;
    if (readDatabase && !record) throw this.errors.unauthorised(scene, 'session revoked');
    const session = new Session(this.runtime, {
      accessToken,
      payload,
      transferMethod,
      accessAndFrontTokenUpdated: false,
      request: scene.request,
      response: scene.response,
    });
    if (record && !jsonEqual(record.accessTokenPayload, this.payloadJwt.strip(customClaimsOf(payload)))) {
      await session.applyStoredPayload(record.accessTokenPayload);
    }
    const userContext = this.runtime.userContext(scene.request);
    const globalValidators = await this.policy.globalValidators(payload.sub, payload.tId, userContext);
    const validators = options.overrideGlobalClaimValidators
      ? await options.overrideGlobalClaimValidators(globalValidators, session, userContext)
      : globalValidators;
    await session.assertClaims(validators);
    return session;
  }

  /** The validators every guarded route checks for this user (the `globalClaimValidators` option). */
  getGlobalClaimValidators(userId: string, tenantId: string, userContext: UserContext = {}): Promise<SessionClaimValidator[]> {
    return this.policy.globalValidators(userId, tenantId, this.runtime.userContext(userContext.request, userContext));
  }

  // ---- refresh --------------------------------------------------------------------------

  /** Rotates the refresh token of the request and sends new tokens (the refresh route calls this). */
  async refreshSession(request: unknown, response: unknown): Promise<SessionContainer> {
    const req = request as RequestLike;
    const res = response as ResponseLike;
    const scene: HttpExchange = { request: req, response: res };
    const found = this.transport.readRefreshToken(req);
    if (!found) throw this.errors.unauthorised(scene, 'refresh token not found', false);
    const session = await this.refresher.rotate(found.token, scene, found.transferMethod, (record) => {
      if (found.transferMethod !== 'cookie') return true;
      if (this.config.antiCsrf === 'VIA_CUSTOM_HEADER') return requestHeader(req, WIRE.rid) !== undefined;
      if (this.config.antiCsrf === 'VIA_TOKEN') {
        const sent = requestHeader(req, WIRE.antiCsrf);
        return Boolean(sent && record.antiCsrfToken && secretsEqual(sent, record.antiCsrfToken));
      }
      return true;
    });
    this.clearOtherMethods(req, res, found.transferMethod);
    this.sendAllTokens(res, found.transferMethod, session);
    return session;
  }

  /** Rotates a refresh token given directly; read the new tokens with `getAllSessionTokensDangerously()`. */
  async refreshSessionWithoutRequestResponse(refreshToken: string, disableAntiCsrf = false, antiCsrfToken?: string): Promise<SessionContainer> {
    return this.refresher.rotate(refreshToken, {}, 'header', (record) => {
      if (disableAntiCsrf || this.config.antiCsrf !== 'VIA_TOKEN' || !record.antiCsrfToken) return true;
      return Boolean(antiCsrfToken && secretsEqual(antiCsrfToken, record.antiCsrfToken));
    });
  }

  // ---- offline (by session handle) ----------------------------------------------------------

  /** Revokes one session; false if it did not exist. */
  async revokeSession(sessionHandle: string): Promise<boolean> {
    return (await this.store.delete([sessionHandle])).length > 0;
  }

  /** Revokes several sessions; returns the handles that existed. */
  revokeMultipleSessions(sessionHandles: string[]): Promise<string[]> {
    return this.store.delete(sessionHandles);
  }

  /** Revokes every session of a user (optionally in one tenant); returns their handles. */
  revokeAllSessionsForUser(userId: string, tenantId?: string): Promise<string[]> {
    return this.store.deleteForUser(userId, tenantId);
  }

  /** Handles of a user's live (non-expired) sessions. */
  getAllSessionHandlesForUser(userId: string, tenantId?: string): Promise<string[]> {
    return this.store.listHandlesForUser(userId, tenantId, Date.now());
  }

  /** What the database holds about a session; `undefined` if unknown or expired. */
  async getSessionInformation(sessionHandle: string): Promise<SessionInformation | undefined> {
    const record = await this.store.find(sessionHandle, Date.now());
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

  /** Replaces a session's private data; false if unknown or expired. */
  updateSessionDataInDatabase(sessionHandle: string, data: JSONObject): Promise<boolean> {
    return this.store.updateSessionData(sessionHandle, { ...(data ?? {}) }, Date.now());
  }

  /**
   * Merges into a session's stored payload (top-level; `null` removes a key) in one atomic
   * statement; false if unknown or expired. The user sees it at the next refresh, or sooner
   * with `checkDatabase` routes.
   */
  async mergeIntoAccessTokenPayload(sessionHandle: string, update: JSONObject): Promise<boolean> {
    assertNoProtectedKeys(update ?? {}, true);
    return this.store.mergePayloadIfExists(sessionHandle, withoutProtectedKeys(update ?? {}), Date.now());
  }

  /** The same merge on every live session of a user (optionally one tenant), in one statement; returns how many. */
  async mergeIntoAccessTokenPayloadForUser(userId: string, update: JSONObject, tenantId?: string): Promise<number> {
    assertNoProtectedKeys(update ?? {}, true);
    return this.store.mergePayloadForUser(userId, tenantId, withoutProtectedKeys(update ?? {}), Date.now());
  }

  /** Fetches a claim and stores it in a session's payload; false if the session is unknown. */
  fetchAndSetClaim<T>(sessionHandle: string, claim: SessionClaim<T>, userContext?: UserContext): Promise<boolean> {
    return this.offlineClaims.fetchAndSetClaim(sessionHandle, claim, userContext);
  }

  /** Stores a claim value in a session's payload; false if the session is unknown. */
  setClaimValue<T>(sessionHandle: string, claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<boolean> {
    return this.offlineClaims.setClaimValue(sessionHandle, claim, value, userContext);
  }

  /** A claim's value in a session's stored payload. */
  getClaimValue<T>(
    sessionHandle: string,
    claim: SessionClaim<T>,
    userContext?: UserContext,
  ): Promise<{ status: 'OK'; value: T | undefined } | { status: 'SESSION_DOES_NOT_EXIST_ERROR' }> {
    return this.offlineClaims.getClaimValue(sessionHandle, claim, userContext);
  }

  /** Removes a claim from a session's stored payload; false if the session is unknown. */
  removeClaim(sessionHandle: string, claim: SessionClaim<unknown>, userContext?: UserContext): Promise<boolean> {
    return this.offlineClaims.removeClaim(sessionHandle, claim, userContext);
  }

  /**
   * Validates a session's stored payload against the global validators (or an override),
   * refetching stale claims and writing them back, so the next refresh carries them.
   */
  async validateClaimsForSessionHandle(
    sessionHandle: string,
    overrideGlobalClaimValidators?: (
      globalValidators: SessionClaimValidator[],
      sessionInfo: SessionInformation,
      userContext: UserContext,
    ) => SessionClaimValidator[] | Promise<SessionClaimValidator[]>,
    userContext?: UserContext,
  ): Promise<{ status: 'OK'; invalidClaims: ClaimValidationError[] } | { status: 'SESSION_DOES_NOT_EXIST_ERROR' }> {
    const info = await this.getSessionInformation(sessionHandle);
    if (!info) return { status: 'SESSION_DOES_NOT_EXIST_ERROR' };
    return this.offlineClaims.validateClaimsForSession(info, overrideGlobalClaimValidators, userContext);
  }

  /** Validates a JWT payload (e.g. from another service) against the global validators or an override; no refetch. */
  validateClaimsInJWTPayload(
    tenantId: string,
    userId: string,
    jwtPayload: JSONObject,
    overrideGlobalClaimValidators?: (
      globalValidators: SessionClaimValidator[],
      userId: string,
      userContext: UserContext,
    ) => SessionClaimValidator[] | Promise<SessionClaimValidator[]>,
    userContext?: UserContext,
  ): Promise<{ status: 'OK'; invalidClaims: ClaimValidationError[] }> {
    return this.offlineClaims.validateClaimsInJWTPayload(tenantId, userId, jwtPayload, overrideGlobalClaimValidators, userContext);
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
  async cleanup(): Promise<{ sessions: number; keys: number }> {
    try {
      const sessions = await this.store.deleteExpired(Date.now());
      const keys = await this.keys.deleteRetiredKeys();
      return { sessions, keys };
    } catch (error) {
      this.logger.error(`cleanup failed: ${(error as Error).message}`);
      return { sessions: 0, keys: 0 };
    }
  }
}
