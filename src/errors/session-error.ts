import { HttpException } from '@nestjs/common';
import type { ClaimValidationError } from '../claims/types';

/** The four ways a session check can fail, named as SuperTokens names them. */
export type SessionErrorType = 'UNAUTHORISED' | 'TRY_REFRESH_TOKEN' | 'TOKEN_THEFT_DETECTED' | 'INVALID_CLAIMS';

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
};

/** Constructor input for {@link SessionError}, the same shape as SuperTokens' `STError`. */
export interface SessionErrorInit {
  type: SessionErrorType;
  message?: string;
  /** For INVALID_CLAIMS: the failed validators, as `[{ id, reason? }]`. */
  payload?: ClaimValidationError[];
  /** For TOKEN_THEFT_DETECTED: who was affected. */
  theft?: { sessionHandle: string; userId: string; tenantId: string };
  /** For UNAUTHORISED: whether the response clears the session tokens (default true). */
  clearTokens?: boolean;
}

/**
 * A session failure that renders as SuperTokens' JSON error body (401 or 403).
 * It is an `HttpException`, so Nest's default exception layer answers it; handlers may throw it
 * too (`throw new SessionError({ type: 'INVALID_CLAIMS', message, payload: [{ id }] })`).
 */
export class SessionError extends HttpException {
  readonly type: SessionErrorType;
  readonly payload?: ClaimValidationError[];
  readonly theft?: SessionErrorInit['theft'];
  readonly clearTokens: boolean;

  constructor(init: SessionErrorInit, response?: SessionErrorResponse) {
    const statusCode = response?.statusCode ?? DEFAULT_STATUS[init.type];
    super(response ? (response.body as object) : defaultBody(init), statusCode, {
      description: init.message,
    });
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
        claimValidationErrors: (init.payload ?? []).map((e) =>
          e.reason === undefined ? { id: e.id } : { id: e.id, reason: e.reason },
        ),
      };
  }
}

/** Thrown when the request has no valid session (401 `{"message":"unauthorised"}`). */
export class UnauthorisedError extends SessionError {
  constructor(message = 'unauthorised', clearTokens = true, response?: SessionErrorResponse) {
    super({ type: 'UNAUTHORISED', message, clearTokens }, response);
  }
}

/** Thrown when the access token is expired or invalid (401 `{"message":"try refresh token"}`). */
export class TryRefreshTokenError extends SessionError {
  constructor(message = 'try refresh token', response?: SessionErrorResponse) {
    super({ type: 'TRY_REFRESH_TOKEN', message }, response);
  }
}

/** Thrown when an old refresh token is reused: the session has been revoked. */
export class TokenTheftDetectedError extends SessionError {
  constructor(theft: NonNullable<SessionErrorInit['theft']>, response?: SessionErrorResponse) {
    super({ type: 'TOKEN_THEFT_DETECTED', message: 'token theft detected', theft }, response);
  }
}

/** Thrown when claim validators fail (403 `{"message":"invalid claim","claimValidationErrors":[...]}`). */
export class InvalidClaimsError extends SessionError {
  constructor(errors: ClaimValidationError[], response?: SessionErrorResponse, message = 'invalid claim') {
    super({ type: 'INVALID_CLAIMS', message, payload: errors }, response);
  }
}
