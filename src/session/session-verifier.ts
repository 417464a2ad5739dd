import { Inject, Injectable, Optional } from '@nestjs/common';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { SessionConfig } from '../config/session-config';
import type { TokenTransferMethod } from '../config/session-module-options';
import { TryRefreshTokenError, UnauthorisedError } from '../errors/session-error';
import type { FeedRead } from '../feed/feed-verdict';
import { RevocationFeed } from '../feed/revocation-feed';
import { jsonEqual } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import { SessionStore } from '../storage/session-store';
import type { AccessTokenPayload } from '../tokens/access-token-payload';
import { AccessTokenService, InvalidAccessTokenError } from '../tokens/access-token.service';
import { PayloadJwtSigner } from '../tokens/payload-jwt.signer';
import { customClaimsOf } from '../tokens/protected-keys';
import { checkAntiCsrf, directAntiCsrfOk } from '../transport/anti-csrf';
import type { HttpExchange, RequestLike } from '../transport/http-objects';
import { hasLineBreak, type TokenFromRequest, TokenTransport } from '../transport/token-transport';
import type { ActiveSession } from './active-session';
import { ClaimPolicy } from './claim-policy';
import { OnlineSessions } from './online-sessions';
import { PayloadRecheckSchedule } from './payload-recheck-schedule';
import type { VerifySessionOptions } from './verify-session-options';

/**
 * Verification: the access token's signature and expiry (no database query unless
 * `checkDatabase` or payload propagation asks for one), the anti-CSRF rule of the request
 * (`transport/anti-csrf.ts`), then the claim validators of the route.
 */
@Injectable()
export class SessionVerifier {
  private readonly recheckSchedule?: PayloadRecheckSchedule;
  /** The revocation feed when the option is on (off, its verdict is always "trust"). */
  private readonly liveFeed?: RevocationFeed;

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly accessTokens: AccessTokenService,
    private readonly payloadJwt: PayloadJwtSigner,
    private readonly transport: TokenTransport,
    private readonly policy: ClaimPolicy,
    private readonly online: OnlineSessions,
    @Optional() feed?: RevocationFeed,
  ) {
    const interval = config.propagationIntervalSeconds;
    this.recheckSchedule = interval === undefined ? undefined : new PayloadRecheckSchedule(interval * 1000);
    this.liveFeed = feed?.enabled ? feed : undefined;
  }

  /** The session of a request; `undefined` only when `sessionRequired: false` and it carries no access token. */
  async verifyRequest(request: RequestLike, response: object | undefined, options: VerifySessionOptions): Promise<ActiveSession | undefined> {
    return this.verifyRoute(request, response, options, NO_VALIDATORS);
  }

  /**
   * {@link verifyRequest} for a guarded route, whose `@RequireClaim` validators run after the
   * global ones (or the route's override), without a promise when none is needed: a token
   * cached or signed by a known key, no database read due and no validator to run (the steady
   * state of most routes) is answered synchronously; refusals are then thrown, not rejected.
   */
  verifyRoute(
    request: RequestLike,
    response: object | undefined,
    options: VerifySessionOptions,
    requiredClaims: readonly SessionClaimValidator[],
  ): ActiveSession | undefined | Promise<ActiveSession | undefined> {
    // The bearer is not scanned for line breaks up front: a token that has one never verifies
    // (see `TokenTransport.readAccessTokenUnscanned`), and a refused one is read again, scanned.
    const found = this.transport.readAccessTokenUnscanned(request);
    if (found?.transferMethod !== 'header') return this.verifyFound(found, request, response, options, requiredClaims);
    let payload: AccessTokenPayload | Promise<AccessTokenPayload>;
    try {
      payload = this.verifyToken(found.token);
    } catch (error) {
      return this.rescanRefused(error, found.token, request, response, options, requiredClaims);
    }
    if (payload instanceof Promise) {
      return payload.then(
        (verified) => this.openForRequest(found, verified, request, response, options, requiredClaims),
        (error: unknown) => this.rescanRefused(error, found.token, request, response, options, requiredClaims),
      );
    }
    return this.openForRequest(found, payload, request, response, options, requiredClaims);
  }

  /** A refused unscanned bearer: read the request again, scanned, if it had a line break; otherwise the refusal stands. */
  private rescanRefused(
    error: unknown,
    token: string,
    request: RequestLike,
    response: object | undefined,
    options: VerifySessionOptions,
    requiredClaims: readonly SessionClaimValidator[],
  ): ActiveSession | undefined | Promise<ActiveSession | undefined> {
    if (!hasLineBreak(token)) throw error;
    return this.verifyFound(this.transport.readAccessToken(request), request, response, options, requiredClaims);
  }

  /** {@link verifyRoute} once the access token is read (scanned, or from a cookie). */
  private verifyFound(
    found: TokenFromRequest | undefined,
    request: RequestLike,
    response: object | undefined,
    options: VerifySessionOptions,
    requiredClaims: readonly SessionClaimValidator[],
  ): ActiveSession | undefined | Promise<ActiveSession | undefined> {
    if (!found) {
      if (options.sessionRequired === false) return undefined;
      throw new UnauthorisedError('session does not exist', false);
    }
    // Two access cookies (one of an older cookieDomain): the refresh route clears the stale one.
    if (found.transferMethod === 'cookie' && this.transport.hasDuplicateAccessCookie(request)) {
      throw new TryRefreshTokenError('multiple access-token cookies in the request');
    }
    const payload = this.verifyToken(found.token);
    if (payload instanceof Promise) return payload.then((verified) => this.openForRequest(found, verified, request, response, options, requiredClaims));
    return this.openForRequest(found, payload, request, response, options, requiredClaims);
  }

  /** An access token given directly (e.g. from a WebSocket handshake). */
  async verifyAccessToken(accessToken: string, antiCsrfToken: string | undefined, options: VerifySessionOptions): Promise<ActiveSession> {
    // The token comes from the caller's code (a socket handshake, a queue): anything but a
    // non-empty string is "no session", the same answer as a request without a token.
    if (typeof accessToken !== 'string' || accessToken.length === 0) throw new UnauthorisedError('session does not exist', false);
    if (antiCsrfToken !== undefined && typeof antiCsrfToken !== 'string') antiCsrfToken = undefined;
    options = options ?? {};
    const payload = await this.verifyToken(accessToken);
    if (!directAntiCsrfOk(this.config.antiCsrf, payload.antiCsrfToken, antiCsrfToken, options.antiCsrfCheck)) {
      throw new TryRefreshTokenError('anti-csrf check failed');
    }
    return this.open({ accessToken, payload, transferMethod: 'header', exchange: {}, options, requiredClaims: NO_VALIDATORS });
  }

  /** The token's payload (synchronously unless its key must be loaded); a refused token is "try refresh token". */
  private verifyToken(token: string): AccessTokenPayload | Promise<AccessTokenPayload> {
    let verified: AccessTokenPayload | Promise<AccessTokenPayload>;
    try {
      verified = this.accessTokens.verifyNow(token);
    } catch (error) {
      throw refusal(error);
    }
    return verified instanceof Promise ? verified.catch((error: unknown) => Promise.reject(refusal(error))) : verified;
  }

  /** The anti-CSRF rule of the request, then the session. */
  private openForRequest(
    found: TokenFromRequest,
    payload: AccessTokenPayload,
    request: RequestLike,
    response: object | undefined,
    options: VerifySessionOptions,
    requiredClaims: readonly SessionClaimValidator[],
  ): ActiveSession | Promise<ActiveSession> {
    // A header token has no anti-CSRF rule (`checkAntiCsrf` answers 'ok'): no input object for it.
    if (found.transferMethod !== 'header') {
      const antiCsrf = checkAntiCsrf({
        mode: this.config.antiCsrf,
        request,
        transferMethod: found.transferMethod,
        expectedToken: payload.antiCsrfToken,
        antiCsrfCheck: options.antiCsrfCheck,
      });
      if (antiCsrf === 'missing-custom-header') throw new UnauthorisedError("anti-csrf check failed: send the 'rid' header", false);
      if (antiCsrf === 'token-mismatch') throw new TryRefreshTokenError('anti-csrf check failed');
    }
    return this.open({ accessToken: found.token, payload, transferMethod: found.transferMethod, exchange: { request, response }, options, requiredClaims });
  }

  /**
   * The session object, then its claims. The database is read only when asked (`checkDatabase`)
   * or when propagation is due for this session; with no read and no validator, nothing is awaited.
   */
  private open(verified: VerifiedRequest): ActiveSession | Promise<ActiveSession> {
    const { payload, options, requiredClaims } = verified;
    // "Now" is read only for what uses it (the feed, propagation, a database read): on the plain
    // path the token's expiry was already checked against the clock.
    const now = this.liveFeed !== undefined || this.recheckSchedule !== undefined || options.checkDatabase === true ? this.config.clock.now() : Number.NaN;
    // The revocation feed (when on) answers from memory: revoked elsewhere, changed elsewhere (read it), or trust.
    const feed = this.liveFeed?.verdict(payload, verified.accessToken, now);
    if (feed === 'revoked') throw new UnauthorisedError('session revoked');
    const feedRead = feed === undefined || feed === 'trust' ? undefined : feed;
    const readDatabase = options.checkDatabase === true || feedRead !== undefined || (this.recheckSchedule?.takeIfDue(payload.sessionHandle, now) ?? false);
    if (readDatabase) return this.openFromDatabase(verified, now, feedRead);
    const session = this.online.openVerifiedNow(verified.accessToken, payload, verified.transferMethod, verified.exchange);
    if (options.overrideGlobalClaimValidators === undefined && requiredClaims.length === 0 && this.policy.noGlobalValidators) return session;
    return this.checkClaims(session, verified);
  }

  /** The stored session must exist; a payload changed offline is re-issued into the token now. */
  private async openFromDatabase(verified: VerifiedRequest, now: number, feedRead?: FeedRead): Promise<ActiveSession> {
    const { accessToken, payload } = verified;
    const record = await this.store.find(payload.sessionHandle, now);
    if (!record) throw new UnauthorisedError('session revoked');
    const changed = !jsonEqual(record.accessTokenPayload, this.payloadJwt.strip(customClaimsOf(payload)));
    const session = await this.online.openVerified({ accessToken, payload }, verified.transferMethod, verified.exchange, changed ? record.accessTokenPayload : undefined);
    feedRead?.confirm(session.getAccessToken());
    return this.checkClaims(session, verified);
  }

  /** The global validators (or the route's override of them), then the route's required ones. */
  private async checkClaims(session: ActiveSession, { payload, exchange, options, requiredClaims }: VerifiedRequest): Promise<ActiveSession> {
    const userContext = this.policy.userContext(exchange.request);
    const validators = await this.policy.validatorsFor({ userId: payload.sub, tenantId: payload.tId }, session, options.overrideGlobalClaimValidators, userContext);
    await session.assertClaims(requiredClaims.length === 0 ? validators : [...validators, ...requiredClaims]);
    return session;
  }
}

/** A verified token and what the request (or the direct call) asks of its session. */
interface VerifiedRequest {
  accessToken: string;
  payload: AccessTokenPayload;
  transferMethod: TokenTransferMethod;
  exchange: HttpExchange;
  options: VerifySessionOptions;
  requiredClaims: readonly SessionClaimValidator[];
}

const NO_VALIDATORS: readonly SessionClaimValidator[] = Object.freeze([]);

/** A refused token answers "try refresh token"; anything else (a database error) stays what it is. */
function refusal(error: unknown): unknown {
  return error instanceof InvalidAccessTokenError ? new TryRefreshTokenError() : error;
}
