/** Why a session ended. */
export type SessionRevokeReason =
  /** The user signed out (the signout route or `session.revokeSession()`). */
  | 'signout'
  /** Revoked by handle or user from the server (`revokeSession`, `revokeAllSessionsForUser`, ...). */
  | 'admin'
  /** Another session of the user signed out the others (`revokeOtherSessions`, a password change). */
  | 'other-sessions'
  /** Evicted by `maxSessionsPerUser` when the user signed in again. */
  | 'cap'
  /** Reached `absoluteSessionLifetime`. */
  | 'absolute-timeout'
  /** Not refreshed within `refreshTokenValidity`. */
  | 'idle-expiry'
  /** A superseded refresh token was used again. */
  | 'theft';

/** How a refresh token was reused when theft was detected. */
export type RefreshTokenReuseKind =
  /** The previous token, presented again after the grace window (a replay, or a lost response long ago). */
  | 'parent-after-grace'
  /** A token two or more refreshes old: someone kept a copy. */
  | 'ancestor';

/** What every event says about its session. */
export interface SessionEventBase {
  sessionHandle: string;
  userId: string;
  tenantId: string;
  /** When it happened (the module's clock), epoch ms. */
  at: number;
}

/** A session was created (sign-in). */
export interface SessionCreatedEvent extends SessionEventBase {
  type: 'session.created';
  ip: string | null;
  userAgent: string | null;
}

/** A refresh token rotated. */
export interface SessionRefreshedEvent extends SessionEventBase {
  type: 'session.refreshed';
  /** The generation of the new refresh token (1 after the first refresh). */
  generation: number;
  ip: string | null;
  userAgent: string | null;
}

/** A session's stored access-token payload changed (online or offline). */
export interface SessionPayloadChangedEvent {
  type: 'session.payload-changed';
  /** The session, or null for a merge into every session of a user. */
  sessionHandle: string | null;
  userId: string | null;
  tenantId: string | null;
  /** Top-level keys written or removed. */
  keys: string[];
  /** `online` in a request (a new token went out), `offline` by handle or user. */
  mode: 'online' | 'offline';
  at: number;
}

/** A session ended. */
export interface SessionRevokedEvent extends SessionEventBase {
  type: 'session.revoked';
  reason: SessionRevokeReason;
}

/** A superseded refresh token was reused: the session is revoked (a `session.revoked` with reason `theft` follows). */
export interface TokenTheftEvent extends SessionEventBase {
  type: 'session.token-theft';
  reuseKind: RefreshTokenReuseKind;
  /** How many refreshes old the presented token was. */
  generationsBehind: number;
}

/** Every lifecycle event; `type` is also the `@nestjs/event-emitter` event name. */
export type SessionEvent = SessionCreatedEvent | SessionRefreshedEvent | SessionPayloadChangedEvent | SessionRevokedEvent | TokenTheftEvent;

/** The event names, for `@OnEvent(...)` and filters. */
export const SESSION_EVENT_TYPES = ['session.created', 'session.refreshed', 'session.payload-changed', 'session.revoked', 'session.token-theft'] as const;
