import type { SessionClaim } from '../claims/session-claim';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { UserContext } from '../claims/types';
import type { TokenTransferMethod } from '../config/session-module-options';
import type { SessionDevice } from '../devices/session-device';
import type { JSONObject } from '../json';
import type { SessionRecord } from '../storage/session-record';
import { FreshAuthClaim } from './built-in-claims/fresh-auth.claim';
import type { AccessTokenPayload } from '../tokens/access-token-payload';
import { buildFrontToken } from '../tokens/front-token';
import type { HttpExchange } from '../transport/http-objects';
import type { SessionContainer, SessionTokens } from './session-container';

/** What one session is within one request (or one `...WithoutRequestResponse` call); online changes update it. */
export interface SessionState {
  accessToken: string;
  payload: AccessTokenPayload;
  transferMethod: TokenTransferMethod;
  refreshToken?: string;
  antiCsrfToken?: string | null;
  frontToken?: string;
  accessAndFrontTokenUpdated: boolean;
  /** Where re-issued tokens go; empty outside a request. */
  exchange: HttpExchange;
}

/** The one collaborator of a session object: the online operations of its app (`OnlineSessions`). */
export interface SessionOperations {
  userContext(state: SessionState, extra?: UserContext): UserContext;
  merge(state: SessionState, update: JSONObject): Promise<void>;
  replace(state: SessionState, payload: JSONObject): Promise<void>;
  record(state: SessionState): Promise<SessionRecord>;
  updateData(state: SessionState, data: JSONObject): Promise<void>;
  assertClaims(state: SessionState, validators: SessionClaimValidator[], userContext?: UserContext): Promise<void>;
  revoke(state: SessionState): Promise<void>;
  listSessions(state: SessionState): Promise<SessionDevice[]>;
  revokeOthers(state: SessionState): Promise<string[]>;
}

/**
 * The module's {@link SessionContainer}: the state of one session in one request, and one
 * collaborator ({@link SessionOperations}) that does the work. Online changes go to the database
 * first (atomically), then a token for the stored payload, with the same expiry, goes to the
 * current response in the transfer method the request used.
 */
export class ActiveSession implements SessionContainer {
  constructor(
    private readonly operations: SessionOperations,
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
    const { state } = this;
    return {
      accessToken: state.accessToken,
      refreshToken: state.refreshToken,
      antiCsrfToken: state.antiCsrfToken ?? undefined,
      frontToken: state.frontToken ?? buildFrontToken(state.payload.sub, state.payload.exp * 1000, state.payload),
      accessAndFrontTokenUpdated: state.accessAndFrontTokenUpdated,
    };
  }

  mergeIntoAccessTokenPayload(update: JSONObject): Promise<void> {
    return this.operations.merge(this.state, update);
  }

  /** Legacy replace (seed "Updating roles in a session"): the custom payload becomes `payload`. */
  updateAccessTokenPayload(payload: JSONObject): Promise<void> {
    return this.operations.replace(this.state, payload);
  }

  async getSessionDataFromDatabase(): Promise<JSONObject> {
    return (await this.operations.record(this.state)).sessionData;
  }

  updateSessionDataInDatabase(data: JSONObject): Promise<void> {
    return this.operations.updateData(this.state, data);
  }

  async fetchAndSetClaim<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void> {
    const context = this.operations.userContext(this.state, userContext);
    const value = await claim.fetchValue(this.getUserId(), this.getTenantId(), context);
    if (value === undefined) return;
    await this.mergeIntoAccessTokenPayload(claim.addToPayload_internal({}, value, context));
  }

  async setClaimValue<T>(claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<void> {
    await this.mergeIntoAccessTokenPayload(claim.addToPayload_internal({}, value, this.operations.userContext(this.state, userContext)));
  }

  async getClaimValue<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<T | undefined> {
    return claim.getValueFromPayload(this.state.payload, this.operations.userContext(this.state, userContext));
  }

  async removeClaim(claim: SessionClaim<unknown>, userContext?: UserContext): Promise<void> {
    await this.mergeIntoAccessTokenPayload(claim.removeFromPayloadByMerge_internal({}, this.operations.userContext(this.state, userContext)));
  }

  /** Refetches what the validators ask for, writes it back, and throws one 403 listing every failure. */
  assertClaims(validators: SessionClaimValidator[], userContext?: UserContext): Promise<void> {
    return this.operations.assertClaims(this.state, validators, userContext);
  }

  revokeSession(): Promise<void> {
    return this.operations.revoke(this.state);
  }

  /** Records that the user just authenticated again (step-up): `@RequireFreshAuth` routes pass again. */
  markFreshAuth(): Promise<void> {
    return this.fetchAndSetClaim(FreshAuthClaim);
  }

  /** The user's sessions in this tenant with device metadata, newest first; this one has `current: true`. */
  listSessions(): Promise<SessionDevice[]> {
    return this.operations.listSessions(this.state);
  }

  /** Signs out the user's other sessions in this tenant (e.g. after a password change); returns their handles. */
  revokeOtherSessions(): Promise<string[]> {
    return this.operations.revokeOthers(this.state);
  }

  async getTimeCreated(): Promise<number> {
    return (await this.operations.record(this.state)).createdAt;
  }

  async getExpiry(): Promise<number> {
    return (await this.operations.record(this.state)).expiresAt;
  }
}
