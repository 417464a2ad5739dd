import type { JSONObject } from '../json';

/** The access-token payload: SuperTokens v5 fields plus the application's custom claims. */
export interface AccessTokenPayload extends JSONObject, AccessTokenBase {
  exp: number;
  iat: number;
  iss: string;
}

/** The session-owned part of an access-token payload. */
export interface AccessTokenBase {
  sub: string;
  tId: string;
  rsub: string;
  sessionHandle: string;
  refreshTokenHash1: string;
  parentRefreshTokenHash1: string | null;
  antiCsrfToken: string | null;
}

/** The base part of an existing payload. */
export function baseOf(payload: AccessTokenPayload): AccessTokenBase {
  return {
    sub: payload.sub,
    tId: payload.tId,
    rsub: payload.rsub,
    sessionHandle: payload.sessionHandle,
    refreshTokenHash1: payload.refreshTokenHash1,
    parentRefreshTokenHash1: payload.parentRefreshTokenHash1 ?? null,
    antiCsrfToken: payload.antiCsrfToken ?? null,
  };
}
