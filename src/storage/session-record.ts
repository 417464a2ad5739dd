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
}
