import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, type JWTPayload } from 'jose';
import type { SessionConfig } from '../config/session-config';
import type { JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import { SigningKeyService } from './signing-key.service';

/**
 * The seed's "JWT in the access-token payload": a separately signed, short-lived JWT of the
 * custom claims, under `jwt.propertyName`, for services that want a plain JWT with their own
 * issuer and validity. It is derived data: signed whenever a token is issued or the session is
 * read offline, never stored, so it can never be stale in the database.
 */
@Injectable()
export class PayloadJwtSigner {
  constructor(
    private readonly keys: SigningKeyService,
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
  ) {}

  /**
   * `custom` with a fresh JWT under the configured key (unchanged when the feature is off).
   * `issuedAt` (epoch s): the access token's `iat`, so both tokens of one issue share one clock.
   */
  async addTo(userId: string, custom: JSONObject, issuedAt = Math.floor(this.config.clock.now() / 1000)): Promise<JSONObject> {
    if (!this.config.jwt.enable) return custom;
    return { ...custom, [this.config.jwt.propertyName]: await this.sign(userId, this.strip(custom), issuedAt) };
  }

  /** `custom` without the JWT key (what is compared with and stored in the database). */
  strip(custom: JSONObject): JSONObject {
    if (!this.config.jwt.enable || !(this.config.jwt.propertyName in custom)) return custom;
    const { [this.config.jwt.propertyName]: _jwt, ...rest } = custom;
    return rest;
  }

  private async sign(userId: string, claims: JSONObject, now: number): Promise<string> {
    const key = await this.keys.getSigningKey();
    return new SignJWT({ ...claims, sub: userId } as JWTPayload)
      .setProtectedHeader({ alg: key.algorithm, typ: 'JWT', kid: key.kid })
      .setIssuer(this.config.jwt.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + this.config.jwt.validitySeconds)
      .sign(key.privateKey);
  }
}
