import type { SessionClaim } from '../claims/session-claim';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { UserContext } from '../claims/types';
import type { JSONObject } from '../json';
import type { AccessTokenPayload } from '../tokens/access-token-payload';

/** Every token of a session, as `getAllSessionTokensDangerously()` returns them. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string | undefined;
  antiCsrfToken: string | undefined;
  frontToken: string;
  accessAndFrontTokenUpdated: boolean;
}

/** The session object handlers receive from `@Session()`; SuperTokens' `SessionContainer`. */
export interface SessionContainer {
  getUserId(): string;
  getTenantId(): string;
  getHandle(): string;
  getAccessToken(): string;
  getAccessTokenPayload(): AccessTokenPayload;
  getAllSessionTokensDangerously(): SessionTokens;
  mergeIntoAccessTokenPayload(update: JSONObject, userContext?: UserContext): Promise<void>;
  updateAccessTokenPayload(payload: JSONObject, userContext?: UserContext): Promise<void>;
  getSessionDataFromDatabase(): Promise<JSONObject>;
  updateSessionDataInDatabase(data: JSONObject): Promise<void>;
  fetchAndSetClaim<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void>;
  setClaimValue<T>(claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<void>;
  getClaimValue<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<T | undefined>;
  removeClaim(claim: SessionClaim<unknown>, userContext?: UserContext): Promise<void>;
  assertClaims(validators: SessionClaimValidator[], userContext?: UserContext): Promise<void>;
  revokeSession(): Promise<void>;
  getTimeCreated(): Promise<number>;
  getExpiry(): Promise<number>;
}
