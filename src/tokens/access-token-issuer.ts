import { Inject, Injectable } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import type { JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import type { AccessTokenBase, AccessTokenPayload } from './access-token-payload';
import { AccessTokenService } from './access-token.service';
import { buildFrontToken } from './front-token';
import { PayloadJwtSigner } from './payload-jwt.signer';

/** A signed access token with what the response needs alongside it. */
export interface IssuedAccessToken {
  accessToken: string;
  payload: AccessTokenPayload;
  frontToken: string;
}

/** Builds access-token payloads (base + custom claims) and signs them. */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly payloadJwt: PayloadJwtSigner,
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
  ) {}

  /**
   * Signs a token for `base` + `custom`. `expiresAtSeconds` keeps the current token's expiry when
   * a payload change re-issues it; a new session or a refresh starts a fresh validity period.
   * `maxBytes`: the token limit of its transfer method (`PayloadTooLargeError` past it).
   */
  async issue(base: AccessTokenBase, custom: JSONObject, expiresAtSeconds?: number, maxBytes?: number): Promise<IssuedAccessToken> {
    const iat = Math.floor(this.config.clock.now() / 1000);
    const exp = expiresAtSeconds ?? iat + this.config.accessTokenValidity;
    const payload: AccessTokenPayload = {
      iss: this.config.issuer,
      ...(await this.payloadJwt.addTo(base.sub, custom, iat)),
      ...base,
      iat,
      exp,
    };
    const accessToken = await this.accessTokens.sign(payload, maxBytes);
    return {
      accessToken,
      payload,
      frontToken: buildFrontToken(base.sub, exp * 1000, payload),
    };
  }
}
