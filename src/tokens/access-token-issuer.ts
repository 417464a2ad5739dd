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

/**
 * A fresh access token's lifetime: `validity` shortened by a random 0..`jitter` fraction (as
 * SuperTokens core 12.1), so the tokens of sessions created together (a deploy, a morning
 * rush) do not all expire, and refresh, in the same second. Whole seconds, at least 1.
 */
export function jitteredValidity(validity: number, jitter: number): number {
  if (jitter <= 0) return validity;
  return Math.max(1, Math.floor(validity * (1 - Math.random() * jitter)));
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
   * a payload change re-issues it; a new session or a refresh starts a fresh validity period,
   * never past `sessionEndsAtMs` (the absolute timeout of the session).
   * `maxBytes`: the token limit of its transfer method (`PayloadTooLargeError` past it).
   */
  async issue(
    base: AccessTokenBase,
    custom: JSONObject,
    expiresAtSeconds?: number,
    maxBytes?: number,
    sessionEndsAtMs?: number,
  ): Promise<IssuedAccessToken> {
    const iat = Math.floor(this.config.clock.now() / 1000);
    const fresh = iat + jitteredValidity(this.config.accessTokenValidity, this.config.accessTokenJitter);
    const exp = expiresAtSeconds ?? (sessionEndsAtMs === undefined ? fresh : Math.max(iat + 1, Math.min(fresh, Math.floor(sessionEndsAtMs / 1000))));
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
