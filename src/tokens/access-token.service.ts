import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { SessionConfig } from '../config/session-config';
import { PayloadTooLargeError } from '../errors/payload-errors';
import type { JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import { MAX_ACCESS_TOKEN_LENGTH, readAccessTokenHeader } from './access-token-header';
import type { AccessTokenPayload } from './access-token-payload';
import { SigningKeyService } from './signing-key.service';
import { VerifiedTokenCache, type VerifiedTokenCacheStats } from './verified-token-cache';

/** Why an access token was refused; every reason answers 401 "try refresh token". */
export class InvalidAccessTokenError extends Error {
  constructor(readonly reason: 'expired' | 'malformed' | 'unknown key' | 'bad signature' | 'bad claims') {
    super(`access token refused: ${reason}`);
  }
}

/** Signs access tokens with the current key and verifies them without touching the database. */
@Injectable()
export class AccessTokenService {
  private readonly cache: VerifiedTokenCache;

  constructor(
    private readonly keys: SigningKeyService,
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
  ) {
    this.cache = new VerifiedTokenCache(config.verifiedTokenCacheSize, config.verifiedTokenCacheBytes);
  }

  /** How full the verified-token cache is (entries and estimated bytes, against its bounds). */
  cacheStats(): VerifiedTokenCacheStats {
    return this.cache.stats();
  }

  /**
   * Signs a payload with header `{alg, typ: "JWT", version: "5", kid}`; a token longer than
   * `limit` bytes is refused with {@link PayloadTooLargeError} (never above what verification accepts).
   */
  async sign(payload: AccessTokenPayload | JSONObject, limit = MAX_ACCESS_TOKEN_LENGTH): Promise<string> {
    const key = await this.keys.getSigningKey();
    const token = await new SignJWT(payload as JWTPayload)
      .setProtectedHeader({ alg: key.algorithm, typ: 'JWT', version: '5', kid: key.kid })
      .sign(key.privateKey);
    // A token verification would refuse must never be issued: the client would loop on refresh.
    const max = Math.min(limit, MAX_ACCESS_TOKEN_LENGTH);
    if (token.length > max) throw new PayloadTooLargeError(token.length, max);
    return token;
  }

  /**
   * Verifies signature (algorithm pinned to the key's), expiry and shape. Throws
   * {@link InvalidAccessTokenError}. Known keys and cached tokens never reach the database.
   */
  async verify(token: string): Promise<AccessTokenPayload> {
    const nowMs = Date.now();
    const cached = this.cache.get(token, Math.floor(nowMs / 1000));
    if (cached) return cached;
    const header = readAccessTokenHeader(token);
    if (!header) throw new InvalidAccessTokenError('malformed');
    const key = this.keys.peekVerificationKey(header.kid) ?? (await this.keys.getVerificationKey(header.kid));
    if (!key) throw new InvalidAccessTokenError('unknown key');
    if (header.alg !== key.algorithm) throw new InvalidAccessTokenError('bad signature');

    let payload: JWTPayload;
    try {
      // `issuer` pinned: apps sharing a key table but not an issuer never accept each other's tokens.
      ({ payload } = await jwtVerify(token, key.publicKey, { algorithms: [key.algorithm], issuer: this.config.issuer, currentDate: new Date(nowMs) }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new InvalidAccessTokenError(code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' ? 'bad claims' : 'bad signature');
    }
    if (!isAccessTokenPayload(payload)) throw new InvalidAccessTokenError('bad claims');
    this.cache.set(token, payload);
    return payload;
  }
}

function isAccessTokenPayload(p: JWTPayload): p is AccessTokenPayload & JWTPayload {
  const x = p as Record<string, unknown>;
  return (
    typeof x.sub === 'string' &&
    typeof x.exp === 'number' &&
    typeof x.iat === 'number' &&
    typeof x.sessionHandle === 'string' &&
    typeof x.tId === 'string' &&
    typeof x.refreshTokenHash1 === 'string' &&
    (x.antiCsrfToken === undefined || x.antiCsrfToken === null || typeof x.antiCsrfToken === 'string')
  );
}
