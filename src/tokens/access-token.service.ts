import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { SessionConfig } from '../config/session-config';
import { PayloadTooLargeError } from '../errors/payload-errors';
import type { JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import { MAX_ACCESS_TOKEN_LENGTH, readAccessTokenHeader, readJsonObjectSegment } from './access-token-header';
import type { AccessTokenPayload } from './access-token-payload';
import { jwsSignatureValid } from './jws-signature';
import { type LoadedSigningKey, SigningKeyService } from './signing-key.service';
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
  private readonly clock: SessionConfig['clock'];
  private readonly issuer: string;

  constructor(
    private readonly keys: SigningKeyService,
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
  ) {
    this.cache = new VerifiedTokenCache(config.verifiedTokenCacheSize, config.verifiedTokenCacheBytes);
    this.clock = config.clock;
    this.issuer = config.issuer;
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
   * Verifies signature (algorithm pinned to the key's), expiry and shape. Rejects with
   * {@link InvalidAccessTokenError}. Known keys and cached tokens never reach the database.
   */
  async verify(token: string): Promise<AccessTokenPayload> {
    return this.verifyNow(token);
  }

  /**
   * {@link verify} without a promise when none is needed: a cached token or one signed by a key
   * this instance holds is answered synchronously (throwing {@link InvalidAccessTokenError});
   * only an unknown `kid` (a key-table reload) returns a promise.
   */
  verifyNow(token: string): AccessTokenPayload | Promise<AccessTokenPayload> {
    const cached = this.cache.get(token, Math.floor(this.clock.now() / 1000));
    if (cached) return cached;
    const header = readAccessTokenHeader(token);
    if (!header) throw new InvalidAccessTokenError('malformed');
    const key = this.keys.peekVerificationKey(header.kid);
    if (key) return this.verifySigned(token, header.alg, key);
    return this.keys.getVerificationKey(header.kid).then((found) => {
      if (!found) throw new InvalidAccessTokenError('unknown key');
      return this.verifySigned(token, header.alg, found);
    });
  }

  /**
   * The checks jose's `jwtVerify` made, on the calling thread: the header's `alg` must be the
   * key's, the signature valid, the payload a JSON object, `iat`/`nbf`/`exp` numbers where
   * present, `nbf` not in the future, `exp` in the future; then the payload's shape and `iss`
   * (the `issuer` option).
   */
  private verifySigned(token: string, alg: string, key: LoadedSigningKey): AccessTokenPayload {
    if (alg !== key.algorithm) throw new InvalidAccessTokenError('bad signature');
    const lastDot = token.lastIndexOf('.');
    if (!jwsSignatureValid(key.algorithm, key.publicKey as KeyObject, token.slice(0, lastDot), token.slice(lastDot + 1))) {
      throw new InvalidAccessTokenError('bad signature');
    }
    const payload = readJsonObjectSegment(token.slice(token.indexOf('.') + 1, lastDot));
    if (payload === undefined) throw new InvalidAccessTokenError('bad claims');
    const now = Math.floor(this.clock.now() / 1000);
    if (payload.iat !== undefined && typeof payload.iat !== 'number') throw new InvalidAccessTokenError('bad claims');
    if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now)) throw new InvalidAccessTokenError('bad claims');
    if (typeof payload.exp !== 'number') throw new InvalidAccessTokenError('bad claims');
    if (payload.exp <= now) throw new InvalidAccessTokenError('expired');
    // `iss` pinned: apps sharing a key table but not an issuer never accept each other's tokens.
    if (payload.iss !== this.config.issuer) throw new InvalidAccessTokenError('bad claims');
    if (!isAccessTokenPayload(payload)) throw new InvalidAccessTokenError('bad claims');
    // Another app's token signed with a shared key set is not ours.
    if (payload.iss !== this.issuer) throw new InvalidAccessTokenError('bad claims');
    this.cache.offer(token, payload);
    return payload;
  }
}

function isAccessTokenPayload(x: Record<string, unknown>): x is AccessTokenPayload {
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
