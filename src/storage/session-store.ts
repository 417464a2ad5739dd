import type { JSONObject } from '../json';
import type { CappedCreation, SessionCap } from './session-cap';
import type { PayloadSizeLimit } from './payload-size-limit';
import type { RefreshRotation, SessionRecord, StoredPayload } from './session-record';

/**
 * Where sessions live. The default is {@link TypeOrmSessionStore}; provide your own under the
 * `SessionStore` token to change it. Every method that takes `nowMs` ignores expired sessions.
 * Payload writes must be atomic: concurrent merges of different keys never lose one.
 *
 * Merges take an optional {@link PayloadSizeLimit}: a merge whose result would pass it must throw
 * `PayloadTooLargeError` and change nothing (for the per-user merge: no session at all). A store
 * that ignores it still works: the module then refuses such a session at its next refresh (401).
 */
export interface SessionStore {
  /** Insert a new session (one statement). */
  create(session: SessionRecord): Promise<void>;
  /**
   * Insert a new session under a per-user cap (`maxSessionsPerUser`), atomically with the count
   * and the evictions: concurrent sign-ins of one user never exceed the cap. Optional: a store
   * without it cannot be used with `maxSessionsPerUser`.
   */
  createWithinCap?(session: SessionRecord, cap: SessionCap, nowMs: number): Promise<CappedCreation>;
  /** The session, or `undefined` if unknown or expired. */
  find(sessionHandle: string, nowMs: number): Promise<SessionRecord | undefined>;
  /** Move the refresh token one generation forward if it is still at `fromGeneration` (one conditional statement). */
  rotateRefreshToken(rotation: RefreshRotation): Promise<boolean>;
  /** Delete sessions; returns the handles that existed. */
  delete(sessionHandles: string[]): Promise<string[]>;
  /** Delete all of a user's sessions (optionally one tenant's); returns their handles. */
  deleteForUser(userId: string, tenantId: string | undefined): Promise<string[]>;
  /** Handles of a user's live sessions. */
  listHandlesForUser(userId: string, tenantId: string | undefined, nowMs: number): Promise<string[]>;
  /** A user's live sessions (optionally one tenant's), newest first, in one query. */
  listForUser(userId: string, tenantId: string | undefined, nowMs: number): Promise<SessionRecord[]>;
  /** Delete a user's sessions except `keepHandle` (the user is in the statement); returns the handles deleted. */
  deleteForUserExcept(userId: string, tenantId: string | undefined, keepHandle: string): Promise<string[]>;
  /** Delete one session only if it belongs to `userId` (and `tenantId` when given), checked in the statement itself. */
  deleteOfUser(sessionHandle: string, userId: string, tenantId: string | undefined): Promise<boolean>;
  /** Replace the private session data; false if the session is unknown or expired. */
  updateSessionData(sessionHandle: string, data: JSONObject, nowMs: number): Promise<boolean>;
  /** Top-level merge into the custom payload (`null` removes a key); the result, or `undefined` if unknown. */
  mergePayload(sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<StoredPayload | undefined>;
  /**
   * The same merge when only "did the session exist" matters (offline merges): one statement on
   * every database, where {@link mergePayload} must read the row back on MySQL/MariaDB.
   */
  mergePayloadIfExists(sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<boolean>;
  /** The same merge on every live session of a user, in one statement (all or none of them); returns how many changed. */
  mergePayloadForUser(userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<number>;
  /** Replace the custom payload; false if the session is unknown or expired. */
  replacePayload(sessionHandle: string, payload: JSONObject, nowMs: number): Promise<boolean>;
  /** Up to `limit` expired sessions, oldest expiry first (cleanup reports them as lifecycle events). Optional. */
  listExpired?(nowMs: number, limit: number): Promise<SessionRecord[]>;
  /** Delete expired sessions; returns how many. */
  deleteExpired(nowMs: number): Promise<number>;
}

/** Injection token of the {@link SessionStore}. */
export const SessionStore = Symbol('SessionStore');
