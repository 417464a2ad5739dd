import type { JSONObject } from '../json';

/** A stored session, as the storage layer returns it. */
export interface SessionRecord {
  sessionHandle: string;
  userId: string;
  tenantId: string;
  refreshHash: string;
  refreshGeneration: number;
  refreshSalt: string;
  rotatedAt: number;
  antiCsrfToken: string | null;
  accessTokenPayload: JSONObject;
  sessionData: JSONObject;
  payloadVersion: number;
  createdAt: number;
  expiresAt: number;
  /** Client IP at creation (plain or hashed), when recorded. */
  createdIp?: string | null;
  /** `User-Agent` at creation, when recorded. */
  createdUserAgent?: string | null;
  /** Client IP of the last refresh, when recorded. */
  lastIp?: string | null;
  /** `User-Agent` of the last refresh, when recorded. */
  lastUserAgent?: string | null;
}

/** A payload after a write, with its version. */
export interface StoredPayload {
  payload: JSONObject;
  version: number;
}

/** A compare-and-set rotation of the refresh token. */
export interface RefreshRotation {
  sessionHandle: string;
  fromGeneration: number;
  refreshHash: string;
  rotatedAt: number;
  expiresAt: number;
  /** Client of this refresh (recorded as the session's last IP / user agent when given). */
  client?: ClientMetadata;
}

/** Who is at the other end of a request: the IP (plain or hashed, or null) and the `User-Agent`. */
export interface ClientMetadata {
  ip: string | null;
  userAgent: string | null;
}
