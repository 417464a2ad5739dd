import type { JSONObject } from '../claims/types';

/** The access-token payload: SuperTokens v5 fields plus the application's custom claims. */
export interface AccessTokenPayload extends JSONObject {
  sub: string;
  exp: number;
  iat: number;
  tId: string;
  rsub: string;
  sessionHandle: string;
  refreshTokenHash1: string;
  parentRefreshTokenHash1: string | null;
  antiCsrfToken: string | null;
  iss: string;
}
