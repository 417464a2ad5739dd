import { HttpException } from '@nestjs/common';
import type { ClaimValidationError } from '../claims/types';

/**
 * The ways a session check can fail, named as SuperTokens names them. `CLEAR_DUPLICATE_SESSION_COOKIES`
 * is not a failure for the client: a refresh found a stale cookie of `olderCookieDomain` and
 * answers 200 after clearing it, so the next refresh sees one cookie.
 */
export type SessionErrorType = 'UNAUTHORISED' | 'TRY_REFRESH_TOKEN' | 'TOKEN_THEFT_DETECTED' | 'INVALID_CLAIMS' | 'CLEAR_DUPLICATE_SESSION_COOKIES';

/** What an error handler may answer instead of the default body. */
export interface SessionErrorResponse {
  statusCode: number;
  body: unknown;
}

const DEFAULT_STATUS: Record<SessionErrorType, number> = {
  UNAUTHORISED: 401,
  TRY_REFRESH_TOKEN: 401,
  TOKEN_THEFT_DETECTED: 401,
  INVALID_CLAIMS: 403,
  // 200: the SDK must not sign the user out; its next refresh rotates with the one cookie left.
  CLEAR_DUPLICATE_SESSION_COOKIES: 200,
};

/** Constructor input for {@link SessionError}, the same shape as SuperTokens' `STError`. */
export interface SessionErrorInit {
  type: SessionErrorType;
  message?: string;
  /** For INVALID_CLAIMS: the failed validators, as `[{ id, reason? }]`. */
  payload?: ClaimValidationError[];
  /** For TOKEN_THEFT_DETECTED: who was affected. */
  theft?: { sessionHandle: string; userId: string; tenantId: string };
  /** For UNAUTHORISED: whether the response clears the session tokens the request carried (default true). */
  clearTokens?: boolean;
}

/**
 * A session failure, as a value: what went wrong, not how to answer it. The module's exception
 * filter renders every `SessionError` that reaches HTTP, whether the guard, the refresh route or
 * a handler threw it: SuperTokens' JSON body (or the `errorHandlers` answer) and, for
 * unauthorised and theft, the client's tokens cleared. It is an `HttpException` carrying the
 * default body, so a context the filter does not serve still answers sensibly.
 */
export class SessionError extends HttpException {
  readonly type: SessionErrorType;
  readonly payload?: ClaimValidationError[];
  readonly theft?: SessionErrorInit['theft'];
  readonly clearTokens: boolean;

  constructor(init: SessionErrorInit) {
    super(defaultBody(init), DEFAULT_STATUS[init.type], { description: init.message });
    this.type = init.type;
    this.payload = init.payload;
    this.theft = init.theft;
    this.clearTokens = init.clearTokens ?? init.type !== 'TRY_REFRESH_TOKEN';
    if (init.message) this.message = init.message;
  }
}

function defaultBody(init: SessionErrorInit): Record<string, unknown> {
  switch (init.type) {
    case 'UNAUTHORISED':
      return { message: 'unauthorised' };
    case 'TRY_REFRESH_TOKEN':
      return { message: 'try refresh token' };
    case 'TOKEN_THEFT_DETECTED':
      return { message: 'token theft detected' };
    case 'INVALID_CLAIMS':
      return {
        message: 'invalid claim',
        claimValidationErrors: (init.payload ?? []).map((e) => (e.reason === undefined ? { id: e.id } : { id: e.id, reason: e.reason })),
      };
    case 'CLEAR_DUPLICATE_SESSION_COOKIES':
      return { message: init.message ?? CLEARING_DUPLICATES };
  }
}

/** The request has no valid session (401 `{"message":"unauthorised"}`); `clearTokens: false` keeps the client's tokens. */
export class UnauthorisedError extends SessionError {
  constructor(message = 'unauthorised', clearTokens = true) {
    super({ type: 'UNAUTHORISED', message, clearTokens });
  }
}

/** The access token is expired or invalid (401 `{"message":"try refresh token"}`); tokens are kept. */
export class TryRefreshTokenError extends SessionError {
  constructor(message = 'try refresh token') {
    super({ type: 'TRY_REFRESH_TOKEN', message });
  }
}

/** An old refresh token was reused: the session is revoked (401 `{"message":"token theft detected"}`, tokens cleared). */
export class TokenTheftDetectedError extends SessionError {
  constructor(theft: NonNullable<SessionErrorInit['theft']>) {
    super({ type: 'TOKEN_THEFT_DETECTED', message: 'token theft detected', theft });
  }
}

const CLEARING_DUPLICATES =
  'The request contains multiple session cookies. We are clearing the cookie from olderCookieDomain. Session will be refreshed in the next refresh call.';

/**
 * A refresh carried two session cookies of one name (a stale one on `olderCookieDomain`): the
 * stale cookie is cleared and the answer is 200 `{ message }` with no new tokens (supertokens-node's answer).
 */
export class ClearDuplicateSessionCookiesError extends SessionError {
  constructor() {
    super({ type: 'CLEAR_DUPLICATE_SESSION_COOKIES', message: CLEARING_DUPLICATES });
  }
}

/** Claim validators failed (403 `{"message":"invalid claim","claimValidationErrors":[...]}`). */
export class InvalidClaimsError extends SessionError {
  constructor(errors: ClaimValidationError[], message = 'invalid claim') {
    super({ type: 'INVALID_CLAIMS', message, payload: errors });
  }
}
