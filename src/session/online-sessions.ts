import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { UserContext } from '../claims/types';
import { validateClaims } from '../claims/validate-claims';
import type { SessionConfig } from '../config/session-config';
import type { TokenTransferMethod } from '../config/session-module-options';
import { PayloadTooLargeError } from '../errors/payload-errors';
import { InvalidClaimsError, UnauthorisedError } from '../errors/session-error';
import { type SessionDevice, toSessionDevice } from '../devices/session-device';
import { jsonEqual, type JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import type { SessionRecord } from '../storage/session-record';
import { SessionStore } from '../storage/session-store';
import { AccessTokenIssuer, type IssuedAccessToken } from '../tokens/access-token-issuer';
import { type AccessTokenPayload, baseOf } from '../tokens/access-token-payload';
import { PayloadJwtSigner } from '../tokens/payload-jwt.signer';
import { PayloadSizeGuard } from '../tokens/payload-size-guard';
import { assertNoProtectedKeys, customClaimsOf, customPartOfReplacement, withoutProtectedKeys } from '../tokens/protected-keys';
import type { HttpExchange } from '../transport/http-objects';
import { TokenTransport } from '../transport/token-transport';
import { ActiveSession, type SessionOperations, type SessionState } from './active-session';
import { SessionEvents } from '../events/session-events';
import { ClaimPolicy } from './claim-policy';
import { assertStorableJson } from './storable-json';
import { revokedEvent } from './lifecycle-events';

/** Every token of a new or refreshed session. */
export type IssuedSession = IssuedAccessToken & {
  refreshToken: string;
  antiCsrfToken: string | null;
  /** When the session ends unless refreshed (idle timeout capped by the absolute one), epoch ms: the refresh cookie's expiry. */
  sessionExpiresAt: number;
  /** Sessions of the user a creation evicted to stay under `maxSessionsPerUser`. */
  evictedSessions?: string[];
};

/** Tokens a session starts a request with: verified from the request, or just issued. */
export type OpeningTokens = Pick<IssuedAccessToken, 'accessToken' | 'payload'> & { frontToken?: string; refreshToken?: string; antiCsrfToken?: string | null };

/**
 * What a session object does within a request (the online forms of SuperTokens' API): writes go
 * to the store first, atomically, then the token is re-issued for the stored payload (same
 * expiry) and sent in the request's transfer method. One per app, shared by its sessions.
 */
@Injectable()
export class OnlineSessions implements SessionOperations {
  private readonly logger = new Logger('SessionPayload');

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly transport: TokenTransport,
    private readonly policy: ClaimPolicy,
    private readonly payloadJwt: PayloadJwtSigner,
    private readonly sizes: PayloadSizeGuard,
    private readonly events: SessionEvents,
  ) {}

  /** A session object for tokens just issued (creation, refresh): they count as updated. */
  open(tokens: OpeningTokens, transferMethod: TokenTransferMethod, exchange: HttpExchange): ActiveSession {
    return new ActiveSession(this, { ...tokens, accessAndFrontTokenUpdated: true, transferMethod, exchange });
  }

  /**
   * A session object for a verified token. With `storedPayload` (the database holds another
   * payload: an offline change), the token is re-issued for it first, so the change reaches the
   * user now, without a refresh.
   */
  async openVerified(
    tokens: OpeningTokens,
    transferMethod: TokenTransferMethod,
    exchange: HttpExchange,
    storedPayload?: JSONObject,
  ): Promise<ActiveSession> {
    const state: SessionState = { ...tokens, accessAndFrontTokenUpdated: false, transferMethod, exchange };
    if (storedPayload) {
      try {
        await this.reissue(state, storedPayload);
      } catch (error) {
        // Stored before the limits (or by a store that ignores them): a clear 401, never a 500.
        if (!(error instanceof PayloadTooLargeError)) throw error;
        this.logger.warn(`session ${tokens.payload.sessionHandle}: ${error.message}; its stored payload cannot be issued`);
        throw new UnauthorisedError('session payload too large for its transfer method');
      }
    }
    return new ActiveSession(this, state);
  }

  /** {@link openVerified} with nothing to re-issue: synchronous, one state object (the guard's steady-state path). */
  openVerifiedNow(accessToken: string, payload: AccessTokenPayload, transferMethod: TokenTransferMethod, exchange: HttpExchange): ActiveSession {
    return new ActiveSession(this, { accessToken, payload, transferMethod, accessAndFrontTokenUpdated: false, exchange });
  }

  /** Writes a new or refreshed session's tokens to the response (if any) and opens the session object. */
  deliver(issued: IssuedSession, transferMethod: TokenTransferMethod, exchange: HttpExchange): ActiveSession {
    if (exchange.request && exchange.response) {
      this.transport.writeSessionTokens({ request: exchange.request, response: exchange.response }, transferMethod, {
        accessToken: issued.accessToken,
        frontToken: issued.frontToken,
        refreshToken: issued.refreshToken,
        refreshTokenExpiresAt: issued.sessionExpiresAt,
        antiCsrfToken: issued.antiCsrfToken,
      });
    }
    return this.open(issued, transferMethod, exchange);
  }
  /** The user context of a claim call in this session
 (the request, when there is one). */
  userContext(state: SessionState, extra?: UserContext): UserContext {
    return this.policy.userContext(state.exchange.request, extra);
  }

  /**
   * An online merge. Checked before anything is written: protected keys, storable JSON, and the
   * token the merged payload makes (signed now, against the transfer method's limit); the store's
   * atomic merge then applies the same limit to whatever the row holds by then.
   */
  async merge(state: SessionState, update: JSONObject): Promise<void> {
    update = update ?? {};
    assertStorableJson(update, 'accessTokenPayload');
    assertNoProtectedKeys(update, true);
    const clean = withoutProtectedKeys(update);
    const limit = this.sizes.tokenLimit(state.transferMethod);
    const expected = mergedPayload(this.payloadJwt.strip(customClaimsOf(state.payload)), clean);
    const issued = await this.accessTokens.issue(baseOf(state.payload), expected, state.payload.exp, limit);
    const stored = await this.store.mergePayload(state.payload.sessionHandle, clean, this.config.clock.now(), await this.sizes.limitFor(state.transferMethod));
    if (!stored) throw sessionGone();
    // Usually the row held what the token did; if another write got there first, issue for the row.
    if (jsonEqual(stored.payload, expected)) this.apply(state, issued);
    else await this.reissue(state, stored.payload);
    await this.reportPayloadChange(state, Object.keys(clean));
  }

  private async reportPayloadChange(state: SessionState, keys: string[]): Promise<void> {
    if (!this.events.active) return;
    const { sessionHandle, sub: userId, tId: tenantId } = state.payload;
    await this.events.emit({ type: 'session.payload-changed', sessionHandle, userId, tenantId, keys, mode: 'online', at: this.config.clock.now() });
  }

  /** Legacy replace of the custom payload (see {@link customPartOfReplacement}); refused writes change nothing. */
  async replace(state: SessionState, payload: JSONObject): Promise<void> {
    assertStorableJson(payload, 'accessTokenPayload');
    const jwt = this.config.jwt;
    const custom = customPartOfReplacement(state.payload, payload ?? {}, jwt.enable ? jwt.propertyName : undefined);
    const before = Object.keys(customClaimsOf(state.payload));
    const issued = await this.accessTokens.issue(baseOf(state.payload), custom, state.payload.exp, this.sizes.tokenLimit(state.transferMethod));
    if (!(await this.store.replacePayload(state.payload.sessionHandle, custom, this.config.clock.now()))) throw sessionGone();
    this.apply(state, issued);
    await this.reportPayloadChange(state, [...new Set([...before, ...Object.keys(custom)])]);
  }

  /** The stored session; 401 if it was revoked or expired meanwhile. */
  async record(state: SessionState): Promise<SessionRecord> {
    const record = await this.store.find(state.payload.sessionHandle, this.config.clock.now());
    if (!record) throw sessionGone();
    return record;
  }

  async updateData(state: SessionState, data: JSONObject): Promise<void> {
    assertStorableJson(data, 'sessionDataInDatabase');
    if (!(await this.store.updateSessionData(state.payload.sessionHandle, data ?? {}, this.config.clock.now()))) throw sessionGone();
  }

  /**
   * Refetches what the validators ask for, writes refetched values back (even if validation then
   * fails), runs every validator, and throws one 403 listing all failures in validator order.
   */
  async assertClaims(state: SessionState, validators: SessionClaimValidator[], userContext?: UserContext): Promise<void> {
    if (validators.length === 0) return;
    const { payload } = state;
    // Validate the refetched payload in memory first (as supertokens-node does): validating after
    // the write-back would age maxAge-0 values by the write's duration and fail them as "expired".
    const result = await validateClaims(validators, payload, payload.sub, payload.tId, this.userContext(state, userContext));
    if (Object.keys(result.update).length > 0) await this.merge(state, result.update);
    if (result.invalidClaims.length > 0) throw new InvalidClaimsError(result.invalidClaims);
  }

  /** Deletes the session and clears its tokens in every transfer method the client holds. */
  async revoke(state: SessionState): Promise<void> {
    const deleted = await this.store.delete([state.payload.sessionHandle]);
    if (deleted.length > 0) await this.events.emit(revokedEvent(sessionOf(state), 'signout', this.config.clock.now()));
    const { request, response } = state.exchange;
    if (!response) return;
    const carried = request ? this.transport.methodsCarried(request) : [];
    this.transport.clearTokens(response, carried.includes(state.transferMethod) ? carried : [...carried, state.transferMethod]);
  }

  async listSessions(state: SessionState): Promise<SessionDevice[]> {
    const { sub, tId, sessionHandle } = state.payload;
    const records = await this.store.listForUser(sub, tId, this.config.clock.now());
    return records.map((record) => toSessionDevice(record, sessionHandle));
  }

  async revokeOthers(state: SessionState): Promise<string[]> {
    const { sub, tId, sessionHandle } = state.payload;
    const revoked = await this.store.deleteForUserExcept(sub, tId, sessionHandle);
    const now = this.config.clock.now();
    await this.events.emitAll(revoked.map((handle) => revokedEvent({ sessionHandle: handle, userId: sub, tenantId: tId }, 'other-sessions', now)));
    return revoked;
  }

  /** Replaces the token with one for `custom` (same expiry) and sends it if there is a response. */
  async reissue(state: SessionState, custom: JSONObject): Promise<void> {
    this.apply(state, await this.accessTokens.issue(baseOf(state.payload), custom, state.payload.exp, this.sizes.tokenLimit(state.transferMethod)));
  }

  /** Makes `issued` the session's token and sends it if there is a response. */
  private apply(state: SessionState, issued: IssuedAccessToken): void {
    state.accessToken = issued.accessToken;
    state.payload = issued.payload;
    state.frontToken = issued.frontToken;
    state.accessAndFrontTokenUpdated = true;
    if (state.exchange.response) {
      this.transport.writeTokens(state.exchange.response, state.transferMethod, { accessToken: issued.accessToken, frontToken: issued.frontToken });
    }
  }
}

/** SuperTokens' top-level merge in memory: `null` deletes a key, any other value replaces it whole. */
function mergedPayload(current: JSONObject, update: JSONObject): JSONObject {
  const out: JSONObject = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Whose session a state is. */
function sessionOf(state: SessionState): { sessionHandle: string; userId: string; tenantId: string } {
  return { sessionHandle: state.payload.sessionHandle, userId: state.payload.sub, tenantId: state.payload.tId };
}

/** The session was revoked or expired while the request used it. */
function sessionGone(): UnauthorisedError {
  return new UnauthorisedError('session does not exist anymore');
}
