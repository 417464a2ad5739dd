import type { JSONObject } from '../claims/types';
import type { AccessTokenBase } from './session-token-issuer';

/** The access-token payload: SuperTokens v5 fields plus the application's custom claims. */
export interface AccessTokenPayload extends JSONObject, AccessTokenBase {
  exp: number;
  iat: number;
  iss: string;
}
