import type { DataSource } from 'typeorm';
import type { JSONObject } from '../../claims/types';
import type { StoredPayload } from '../session-record';

/**
 * The only driver-specific SQL: single-statement, atomic payload merges. One implementation per
 * database, chosen once at start from the DataSource's driver.
 */
export interface PayloadDialect {
  /** Merge into one live session's payload and bump its version; the result, or `undefined`. */
  mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number): Promise<StoredPayload | undefined>;
  /** Merge into every live session of a user (optionally one tenant); the number of rows changed. */
  mergeForUser(dataSource: DataSource, userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number): Promise<number>;
}

/**
 * Splits a top-level merge into the two merge-patch documents the SQL applies in turn: first
 * `removals` clears every key whose new value is an object (RFC 7396 would merge into it
 * recursively), then `patch` sets the values and removes `null` keys. The composition is a
 * top-level replace, as SuperTokens' `mergeIntoAccessTokenPayload` defines.
 */
export function toMergePatches(update: JSONObject): { removals: JSONObject; patch: JSONObject } {
  const removals: JSONObject = {};
  const patch: JSONObject = {};
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) removals[key] = null;
    patch[key] = value;
  }
  return { removals, patch };
}
