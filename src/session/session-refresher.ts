import { Logger } from '@nestjs/common';
import type { TokenTransferMethod } from '../config/session-module-options';
import type { HttpExchange } from '../transport/http-objects';
import { Session } from './session-container';
import type { SessionRuntime } from './session-runtime';
import type { SessionRecord } from '../storage/session-record';
import {
  formatRefreshToken,
  nextRefreshToken,
  parseRefreshToken,
  type ParsedRefreshToken,
  refreshTokenHash1,
  refreshTokenStorageHash,
} from '../tokens/refresh-token';
import { classifyRefreshToken } from '../tokens/refresh-token-chain';

/** Refresh-token rotation with theft detection; `SessionService.refreshSession*` call it. */
export class SessionRefresher {
  private readonly logger = new Logger('SessionRefresh');

  constructor(private readonly runtime: SessionRuntime) {}

  /**
   * One refresh. The current token rotates with a compare-and-set on its generation; a racing
   * request that loses re-reads and lands in the grace branch, getting the same child token.
   */
  async rotate(
    rawToken: string,
    scene: HttpExchange,
    transferMethod: TokenTransferMethod,
    antiCsrfOk: (record: SessionRecord) => boolean,
  ): Promise<Session> {
    const presented = parseRefreshToken(rawToken);
    if (!presented) throw this.runtime.errors.unauthorised(scene, 'invalid refresh token');
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = Date.now();
      const record = await this.runtime.store.find(presented.sessionHandle, now);
      if (!record) throw this.runtime.errors.unauthorised(scene, 'session does not exist');
      if (!antiCsrfOk(record)) throw this.runtime.errors.unauthorised(scene, 'anti-csrf check failed', false);
      const outcome = classifyRefreshToken(presented, record, now, this.runtime.config.refreshGracePeriod * 1000);
      if (outcome.kind === 'invalid') throw this.runtime.errors.unauthorised(scene, 'invalid refresh token');
      if (outcome.kind === 'theft') {
        await this.runtime.store.delete([record.sessionHandle]);
        this.logger.warn(`refresh token reuse: session ${record.sessionHandle} of user ${record.userId} revoked`);
        throw this.runtime.errors.tokenTheft(scene, { sessionHandle: record.sessionHandle, userId: record.userId, tenantId: record.tenantId });
      }
      if (outcome.kind === 'grace') return this.sessionAfterRefresh(record, presented, outcome.current, transferMethod, scene);
      const child = nextRefreshToken(presented, record.refreshSalt);
      const rotated = await this.runtime.store.rotateRefreshToken({
        sessionHandle: record.sessionHandle,
        fromGeneration: record.refreshGeneration,
        refreshHash: refreshTokenStorageHash(formatRefreshToken(child)),
        rotatedAt: now,
        expiresAt: now + this.runtime.config.refreshTokenValidity * 1000,
      });
      if (rotated) return this.sessionAfterRefresh(record, presented, child, transferMethod, scene);
    }
    throw this.runtime.errors.unauthorised(scene, 'refresh could not complete, try again', false);
  }

  private async sessionAfterRefresh(
    record: SessionRecord,
    parent: ParsedRefreshToken,
    child: ParsedRefreshToken,
    transferMethod: TokenTransferMethod,
    scene: HttpExchange,
  ): Promise<Session> {
    const refreshToken = formatRefreshToken(child);
    const issued = await this.runtime.issuer.issue(
      {
        sub: record.userId,
        tId: record.tenantId,
        rsub: record.userId,
        sessionHandle: record.sessionHandle,
        refreshTokenHash1: refreshTokenHash1(refreshToken),
        parentRefreshTokenHash1: refreshTokenHash1(formatRefreshToken(parent)),
        antiCsrfToken: record.antiCsrfToken,
      },
      record.accessTokenPayload,
    );
    return new Session(this.runtime, {
      accessToken: issued.accessToken,
      payload: issued.payload,
      frontToken: issued.frontToken,
      refreshToken,
      antiCsrfToken: record.antiCsrfToken,
      accessAndFrontTokenUpdated: true,
      transferMethod,
      request: scene.request,
      response: scene.response,
    });
  }
}
