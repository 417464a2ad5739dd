import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import type { TokenTransferMethod } from '../config/session-module-options';
import { PayloadTooLargeError } from '../errors/payload-errors';
import { ClearDuplicateSessionCookiesError, TokenTheftDetectedError, UnauthorisedError } from '../errors/session-error';
import { clientMetadataOf } from '../devices/client-metadata';
import { SESSION_CONFIG } from '../session.constants';
import type { ClientMetadata, SessionRecord } from '../storage/session-record';
import { SessionStore } from '../storage/session-store';
import { PayloadSizeGuard } from '../tokens/payload-size-guard';
import { formatRefreshToken, nextRefreshToken, type ParsedRefreshToken, parseRefreshToken, refreshTokenStorageHash } from '../tokens/refresh-token';
import { classifyRefreshToken } from '../tokens/refresh-token-chain';
import { directRefreshAntiCsrfOk, refreshAntiCsrfOk } from '../transport/anti-csrf';
import type { HttpExchange, RequestLike } from '../transport/http-objects';
import { TokenTransport } from '../transport/token-transport';
import type { ActiveSession } from './active-session';
import { type IssuedSession, OnlineSessions } from './online-sessions';
import { SessionEvents } from '../events/session-events';
import { expiryReasonOf, revokedEvent } from './lifecycle-events';
import { SessionIssuer } from './session-issuer';
import { sessionExpiryAt } from './session-lifetime';

/**
 * Refresh: the refresh token rotates on every call, with theft detection (the chain rules are in
 * `tokens/refresh-token-chain.ts`, the anti-CSRF rules in `transport/anti-csrf.ts`); the new
 * tokens come from the same issuing path as a new session's.
 */
@Injectable()
export class SessionRefresher {
  private readonly logger = new Logger('SessionRefresh');

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly issuer: SessionIssuer,
    private readonly transport: TokenTransport,
    private readonly online: OnlineSessions,
    private readonly sizes: PayloadSizeGuard,
    private readonly events: SessionEvents,
  ) {}

  /** The refresh route: the request's refresh token rotates, new tokens go out in the method it came in. */
  async refreshRequest(request: RequestLike, response: object): Promise<ActiveSession> {
    this.clearOlderDomainCookies(request, response);
    const found = this.transport.readRefreshToken(request);
    // Every token goes, as in supertokens-node: a browser left with only an HttpOnly access
    // cookie could never delete it and would loop between the guard's 401 and this one.
    if (!found) throw new UnauthorisedError('refresh token not found');
    const client = clientMetadataOf(request, this.config.deviceMetadata);
    const issued = await this.rotate(found.token, found.transferMethod, (stored) => refreshAntiCsrfOk(this.config.antiCsrf, request, found.transferMethod, stored), client);
    return this.online.deliver(issued, found.transferMethod, { request, response });
  }

  /**
   * Two session cookies of one name (one on the domain the app used before): which is current
   * cannot be told, and using the stale one would loop refreshes. With `olderCookieDomain` the
   * stale one is expired and the answer is 200 without new tokens (the next refresh has one
   * cookie); without it, 400 naming the option (supertokens-node answers a 500 here).
   */
  private clearOlderDomainCookies(request: RequestLike, response: object): void {
    const duplicated = this.transport.duplicatedCookies(request);
    if (duplicated.length === 0) return;
    const older = this.config.olderCookieDomain;
    if (older === undefined) {
      throw new BadRequestException(
        "The request contains multiple session cookies. This may happen if you've changed the 'cookieDomain' value in your configuration. To clear tokens from the previous domain, set 'olderCookieDomain' in your config.",
      );
    }
    this.transport.clearOlderDomainCookies(response, duplicated, older);
    throw new ClearDuplicateSessionCookiesError();
  }

  /** A refresh token given directly; the new tokens are read with `getAllSessionTokensDangerously()`. */
  async refreshToken(refreshToken: string, disableAntiCsrf: boolean, antiCsrfToken: string | undefined): Promise<ActiveSession> {
    const issued = await this.rotate(refreshToken, 'header', (stored) => directRefreshAntiCsrfOk(this.config.antiCsrf, stored, antiCsrfToken, disableAntiCsrf));
    const none: HttpExchange = {};
    return this.online.deliver(issued, 'header', none);
  }

  /**
   * One rotation. The current token rotates with a compare-and-set on its generation; a racing
   * request that loses re-reads and lands in the grace branch, getting the same child token. The
   * tokens are issued before the rotation is stored: a session whose stored payload no longer
   * fits its transfer method answers 401 and its refresh token stays as it was.
   */
  private async rotate(
    rawToken: string,
    method: TokenTransferMethod,
    antiCsrfOk: (storedToken: string | null) => boolean,
    client?: ClientMetadata,
  ): Promise<IssuedSession> {
    const presented = parseRefreshToken(rawToken);
    if (!presented) throw new UnauthorisedError('invalid refresh token');
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.config.clock.now();
      const record = await this.store.find(presented.sessionHandle, now);
      if (!record) {
        await this.reportExpired(presented.sessionHandle, now);
        throw new UnauthorisedError('session does not exist');
      }
      if (!antiCsrfOk(record.antiCsrfToken)) throw new UnauthorisedError('anti-csrf check failed', false);
      const outcome = classifyRefreshToken(presented, record, now, this.config.refreshGracePeriod * 1000);
      if (outcome.kind === 'invalid') throw new UnauthorisedError('invalid refresh token');
      if (outcome.kind === 'theft') {
        const deleted = await this.store.delete([record.sessionHandle]);
        this.logger.warn(`refresh token reuse (${outcome.reuse}): session ${record.sessionHandle} of user ${record.userId} revoked`);
        const { sessionHandle, userId, tenantId } = record;
        await this.events.emit({ type: 'session.token-theft', sessionHandle, userId, tenantId, at: now, reuseKind: outcome.reuse, generationsBehind: outcome.generationsBehind });
        if (deleted.length > 0) await this.events.emit(revokedEvent(record, 'theft', now));
        throw new TokenTheftDetectedError({ sessionHandle: record.sessionHandle, userId: record.userId, tenantId: record.tenantId });
      }
      if (outcome.kind === 'grace') return this.issue(record, outcome.current, presented, method);
      const child = nextRefreshToken(presented, record.refreshSalt);
      const issued = await this.issue(record, child, presented, method);
      const rotated = await this.store.rotateRefreshToken({
        sessionHandle: record.sessionHandle,
        fromGeneration: record.refreshGeneration,
        refreshHash: refreshTokenStorageHash(formatRefreshToken(child)),
        rotatedAt: now,
        expiresAt: sessionExpiryAt(this.config, record.createdAt, now),
        client,
      });
      if (rotated) {
        const { sessionHandle, userId, tenantId } = record;
        await this.events.emit({
          type: 'session.refreshed',
          sessionHandle,
          userId,
          tenantId,
          at: now,
          generation: child.generation,
          ip: client?.ip ?? null,
          userAgent: client?.userAgent ?? null,
        });
        return issued;
      }
    }
    throw new UnauthorisedError('refresh could not complete, try again', false);
  }

  /** The new tokens; a stored payload too large for the transfer method is a 401 (logged), never a 500. */
  private async issue(record: SessionRecord, refresh: ParsedRefreshToken, parent: ParsedRefreshToken, method: TokenTransferMethod): Promise<IssuedSession> {
    try {
      return await this.issuer.issueForStoredSession(record, refresh, parent, this.sizes.tokenLimit(method));
    } catch (error) {
      if (!(error instanceof PayloadTooLargeError)) throw error;
      this.logger.warn(`session ${record.sessionHandle}: ${error.message}; refresh refused until its payload is made smaller`);
      throw new UnauthorisedError('session payload too large for its transfer method');
    }
  }

  /**
   * A refresh of a session past its expiry: when anyone listens, the expired row is deleted now
   * and reported (idle or absolute timeout) once — whoever deletes it reports it, here or cleanup.
   */
  private async reportExpired(sessionHandle: string, now: number): Promise<void> {
    if (!this.events.active) return;
    const expired = await this.store.find(sessionHandle, 0);
    if (!expired || expired.expiresAt > now) return;
    if ((await this.store.delete([sessionHandle])).length > 0) await this.events.emit(revokedEvent(expired, expiryReasonOf(this.config, expired), now));
  }
}
