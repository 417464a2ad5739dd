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

/**
 * What a merge into a `SessionContainer<TPayload>` takes: the app's keys with their declared
 * types (or `null`, which deletes the key), and any other JSON key.
 */
export type PayloadUpdate<TPayload extends object = JSONObject> = { [K in keyof TPayload]?: TPayload[K] | null } & JSONObject;

/**
 * The session object handlers receive from `@Session()`; SuperTokens' `SessionContainer`.
 * `TPayload` is the app's own payload type: `@Session() session: SessionContainer<MyPayload>`
 * types `getAccessTokenPayload()` as the standard fields plus `MyPayload` (a type assertion, as
 * for any decorator-injected value: the token's content is what the app put there).
 */
export interface SessionContainer<TPayload extends object = JSONObject> {
  getUserId(): string;
  getTenantId(): string;
  getHandle(): string;
  getAccessToken(): string;
  getAccessTokenPayload(): AccessTokenPayload & TPayload;
  getAllSessionTokensDangerously(): SessionTokens;
  mergeIntoAccessTokenPayload(update: PayloadUpdate<TPayload>, userContext?: UserContext): Promise<void>;
  updateAccessTokenPayload(payload: TPayload & JSONObject, userContext?: UserContext): Promise<void>;
  getSessionDataFromDatabase(): Promise<JSONObject>;
  updateSessionDataInDatabase(data: JSONObject): Promise<void>;
  fetchAndSetClaim<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void>;
  /** `value` is checked against the claim's type (not widened to fit it). */
  setClaimValue<T>(claim: SessionClaim<T>, value: NoInfer<T>, userContext?: UserContext): Promise<void>;
  getClaimValue<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<T | undefined>;
  removeClaim(claim: SessionClaim<unknown>, userContext?: UserContext): Promise<void>;
  assertClaims(validators: SessionClaimValidator[], userContext?: UserContext): Promise<void>;
  revokeSession(): Promise<void>;
  getTimeCreated(): Promise<number>;
  getExpiry(): Promise<number>;
}
