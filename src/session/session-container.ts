import { validateClaims } from '../claims/validate-claims';
import type { SessionClaim } from '../claims/session-claim';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { JSONObject } from '../json';
import type { UserContext } from '../claims/types';
import type { TokenTransferMethod } from '../config/session-module-options';
import type { SessionRuntime } from './session-runtime';
import type { AccessTokenPayload } from '../tokens/access-token-payload';
import { buildFrontToken } from '../tokens/front-token';
import { ProtectedPayloadKeyError } from '../errors/session-config-error';
import { assertNoProtectedKeys, PROTECTED_PAYLOAD_KEYS, withoutProtectedKeys } from '../tokens/protected-keys';
import { jsonEqual } from '../json';
import { baseOf } from '../tokens/access-token-issuer';
import type { RequestLike, ResponseLike } from '../transport/http-objects';

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

/** Mutable state of one session within one request. */
export interface SessionState {
  accessToken: string;
  payload: AccessTokenPayload;
  transferMethod: TokenTransferMethod;
  refreshToken?: string;
  antiCsrfToken?: string | null;
  frontToken?: string;
  accessAndFrontTokenUpdated: boolean;
  request?: RequestLike;
  response?: ResponseLike;
}

/**
 * The module's {@link SessionContainer}. Online changes go to the database first (atomically),
 * then a token for the stored payload, with the same expiry, is written to the current response
 * in the transfer method the request used.
 */
export class Session implements SessionContainer {
  constructor(
    private readonly runtime: SessionRuntime,
    private readonly state: SessionState,
  ) {}

  getUserId(): string {
    return this.state.payload.sub;
  }

  getTenantId(): string {
    return this.state.payload.tId;
  }

  getHandle(): string {
    return this.state.payload.sessionHandle;
  }

  getAccessToken(): string {
    return this.state.accessToken;
  }

  /** A copy: the verified payload may be shared with the token cache. */
  getAccessTokenPayload(): AccessTokenPayload {
    return structuredClone(this.state.payload);
  }

  getAllSessionTokensDangerously(): SessionTokens {
    return {
      accessToken: this.state.accessToken,
      refreshToken: this.state.refreshToken,
      antiCsrfToken: this.state.antiCsrfToken ?? undefined,
      frontToken: this.state.frontToken ?? buildFrontToken(this.getUserId(), this.state.payload.exp * 1000, this.state.payload),
      accessAndFrontTokenUpdated: this.state.accessAndFrontTokenUpdated,
    };
  }

  async mergeIntoAccessTokenPayload(update: JSONObject): Promise<void> {
    update = update ?? {};
    assertNoProtectedKeys(update, true);
    const stored = await this.runtime.store.mergePayload(this.getHandle(), withoutProtectedKeys(update), Date.now());
    if (!stored) throw this.runtime.errors.unauthorised(this.scene(), 'session does not exist anymore');
    await this.reissue(stored.payload);
  }

  /**
   * Legacy replace (seed "Updating roles in a session"). The seed's Python/Go form writes back the
   * whole payload it read, so the session's own values (protected keys, `iss`, the derived
   * payload JWT) are accepted and dropped; changing a protected key is refused like in merges.
   */
  async updateAccessTokenPayload(payload: JSONObject): Promise<void> {
    const custom = this.customPartOfReplacement(payload ?? {});
    const replaced = await this.runtime.store.replacePayload(this.getHandle(), custom, Date.now());
    if (!replaced) throw this.runtime.errors.unauthorised(this.scene(), 'session does not exist anymore');
    await this.reissue(custom);
  }

  async getSessionDataFromDatabase(): Promise<JSONObject> {
    return (await this.loadRecord()).sessionData;
  }

  async updateSessionDataInDatabase(data: JSONObject): Promise<void> {
    const updated = await this.runtime.store.updateSessionData(this.getHandle(), data ?? {}, Date.now());
    if (!updated) throw this.runtime.errors.unauthorised(this.scene(), 'session does not exist anymore');
  }

  async fetchAndSetClaim<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void> {
    const value = await claim.fetchValue(this.getUserId(), this.getTenantId(), this.userContext(userContext));
    if (value === undefined) return;
    await this.mergeIntoAccessTokenPayload(claim.addToPayload_internal({}, value, this.userContext(userContext)));
  }

  async setClaimValue<T>(claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<void> {
    await this.mergeIntoAccessTokenPayload(claim.addToPayload_internal({}, value, this.userContext(userContext)));
  }

  async getClaimValue<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<T | undefined> {
    return claim.getValueFromPayload(this.state.payload, this.userContext(userContext));
  }

  async removeClaim(claim: SessionClaim<unknown>, userContext?: UserContext): Promise<void> {
    await this.mergeIntoAccessTokenPayload(claim.removeFromPayloadByMerge_internal({}, this.userContext(userContext)));
  }

  /**
   * Refetches what the validators ask for, writes refetched values back (even if validation then
   * fails), runs every validator, and throws one 403 listing all failures in validator order.
   */
  async assertClaims(validators: SessionClaimValidator[], userContext?: UserContext): Promise<void> {
    if (validators.length === 0) return;
    const context = this.userContext(userContext);
    // Validate the refetched payload in memory first (as supertokens-node does): validating after
    // the write-back would age maxAge-0 values by the write's duration and fail them as "expired".
    const { update, invalidClaims } = await validateClaims(validators, this.state.payload, this.getUserId(), this.getTenantId(), context);
    if (Object.keys(update).length > 0) await this.mergeIntoAccessTokenPayload(update);
    if (invalidClaims.length > 0) throw this.runtime.errors.invalidClaims(this.scene(), invalidClaims);
  }

  async revokeSession(): Promise<void> {
    await this.runtime.store.delete([this.getHandle()]);
    const { request, response } = this.state;
    if (response) {
      const carried = request ? this.runtime.transport.methodsCarried(request) : [];
      const methods = carried.includes(this.state.transferMethod) ? carried : [...carried, this.state.transferMethod];
      this.runtime.transport.clearTokens(response, methods);
    }
  }

  async getTimeCreated(): Promise<number> {
    return (await this.loadRecord()).createdAt;
  }

  async getExpiry(): Promise<number> {
    return (await this.loadRecord()).expiresAt;
  }

  /**
   * Re-issues the token for a payload read from the database (offline changes reaching the user
   * without a refresh). Internal to the module.
   * @internal
   */
  async applyStoredPayload(custom: JSONObject): Promise<void> {
    await this.reissue(custom);
  }

  /** Replace the token with one for `custom` (same expiry) and send it if there is a response. */
  private async reissue(custom: JSONObject): Promise<void> {
    const issued = await this.runtime.issuer.issue(baseOf(this.state.payload), custom, this.state.payload.exp);
    this.state.accessToken = issued.accessToken;
    this.state.payload = issued.payload;
    this.state.frontToken = issued.frontToken;
    this.state.accessAndFrontTokenUpdated = true;
    if (this.state.response) {
      this.runtime.transport.writeTokens(this.state.response, this.state.transferMethod, {
        accessToken: issued.accessToken,
        frontToken: issued.frontToken,
      });
    }
  }

  /** What a legacy replace stores: `payload` without what the session itself put in its token. */
  private customPartOfReplacement(payload: JSONObject): JSONObject {
    const current = this.state.payload;
    const jwt = this.runtime.config.jwt;
    const custom: JSONObject = {};
    for (const [key, value] of Object.entries(payload)) {
      if (value === undefined) continue;
      if (PROTECTED_PAYLOAD_KEYS.includes(key)) {
        if (value === null || jsonEqual(value, current[key])) continue;
        throw new ProtectedPayloadKeyError(key);
      }
      if (jwt.enable && key === jwt.propertyName) continue;
      custom[key] = value;
    }
    return custom;
  }

  private async loadRecord() {
    const record = await this.runtime.store.find(this.getHandle(), Date.now());
    if (!record) throw this.runtime.errors.unauthorised(this.scene(), 'session does not exist anymore');
    return record;
  }

  private userContext(extra?: UserContext): UserContext {
    return this.runtime.userContext(this.state.request, extra);
  }

  private scene() {
    return { request: this.state.request, response: this.state.response };
  }
}
