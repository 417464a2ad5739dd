import { Inject, Injectable, Optional } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import type { TokenTransferMethod } from '../config/session-module-options';
import { TryRefreshTokenError, UnauthorisedError } from '../errors/session-error';
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
import { TokenTransport } from '../transport/token-transport';
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

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly accessTokens: AccessTokenService,
    private readonly payloadJwt: PayloadJwtSigner,
    private readonly transport: TokenTransport,
    private readonly policy: ClaimPolicy,
    private readonly online: OnlineSessions,
    @Optional() private readonly feed?: RevocationFeed,
  ) {
    const interval = config.propagationIntervalSeconds;
    this.recheckSchedule = interval === undefined ? undefined : new PayloadRecheckSchedule(interval * 1000);
  }

  /** The session of a request; `undefined` only when `sessionRequired: false` and it carries no access token. */
  async verifyRequest(request: RequestLike, response: object | undefined, options: VerifySessionOptions): Promise<ActiveSession | undefined> {
    const found = this.transport.readAccessToken(request);
    if (!found) {
      if (options.sessionRequired === false) return undefined;
      throw new UnauthorisedError('session does not exist', false);
    }
    // Two access cookies (one of an older cookieDomain): the refresh route clears the stale one.
    if (found.transferMethod === 'cookie' && this.transport.hasDuplicateAccessCookie(request)) {
      throw new TryRefreshTokenError('multiple access-token cookies in the request');
    }
    const payload = await this.verifyToken(found.token);
    const antiCsrf = checkAntiCsrf({
      mode: this.config.antiCsrf,
      request,
      transferMethod: found.transferMethod,
      expectedToken: payload.antiCsrfToken,
      antiCsrfCheck: options.antiCsrfCheck,
    });
    if (antiCsrf === 'missing-custom-header') throw new UnauthorisedError("anti-csrf check failed: send the 'rid' header", false);
    if (antiCsrf === 'token-mismatch') throw new TryRefreshTokenError('anti-csrf check failed');
    return this.open(found.token, payload, found.transferMethod, { request, response }, options);
  }

  /** An access token given directly (e.g. from a WebSocket handshake). */
  async verifyAccessToken(accessToken: string, antiCsrfToken: string | undefined, options: VerifySessionOptions): Promise<ActiveSession> {
    const payload = await this.verifyToken(accessToken);
    if (!directAntiCsrfOk(this.config.antiCsrf, payload.antiCsrfToken, antiCsrfToken, options.antiCsrfCheck)) {
      throw new TryRefreshTokenError('anti-csrf check failed');
    }
    return this.open(accessToken, payload, 'header', {}, options);
  }

  private async verifyToken(token: string): Promise<AccessTokenPayload> {
    try {
      return await this.accessTokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) throw new TryRefreshTokenError();
      throw error;
    }
  }

  /** The database is read only when asked (`checkDatabase`) or when propagation is due for this session. */
  private async open(
    accessToken: string,
    payload: AccessTokenPayload,
    transferMethod: TokenTransferMethod,
    exchange: HttpExchange,
    options: VerifySessionOptions,
  ): Promise<ActiveSession> {
    const now = this.config.clock.now();
    // The revocation feed (when on) answers from memory: revoked elsewhere, changed elsewhere (read it), or trust.
    const feed = this.feed?.verdict(payload, accessToken, now);
    if (feed === 'revoked') throw new UnauthorisedError('session revoked');
    const readDatabase =
      options.checkDatabase === true || (feed !== undefined && feed !== 'trust') || (this.recheckSchedule?.takeIfDue(payload.sessionHandle, now) ?? false);
    const record = readDatabase ? await this.store.find(payload.sessionHandle, now) : undefined;
    if (readDatabase && !record) throw new UnauthorisedError('session revoked');
    const changed = record && !jsonEqual(record.accessTokenPayload, this.payloadJwt.strip(customClaimsOf(payload)));
    const session = await this.online.openVerified({ accessToken, payload }, transferMethod, exchange, changed ? record.accessTokenPayload : undefined);
    if (record && feed !== undefined && feed !== 'trust') feed.confirm(session.getAccessToken());
    const userContext = this.policy.userContext(exchange.request);
    const validators = await this.policy.validatorsFor({ userId: payload.sub, tenantId: payload.tId }, session, options.overrideGlobalClaimValidators, userContext);
    await session.assertClaims(validators);
    return session;
  }
}
