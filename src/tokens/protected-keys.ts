import type { JSONObject } from '../claims/types';
import { ProtectedPayloadKeyError } from '../errors/session-config-error';

/** Payload keys the session layer owns; the application can never write them. */
export const PROTECTED_PAYLOAD_KEYS: readonly string[] = Object.freeze([
  'sub',
  'iat',
  'exp',
  'sessionHandle',
  'refreshTokenHash1',
  'parentRefreshTokenHash1',
  'antiCsrfToken',
  'tId',
  'rsub',
  'stt',
]);

const PROTECTED = new Set(PROTECTED_PAYLOAD_KEYS);

/** Keys that are part of every token but not of the stored custom payload. */
const TOKEN_ONLY = new Set([...PROTECTED_PAYLOAD_KEYS, 'iss']);

/**
 * Throws {@link ProtectedPayloadKeyError} naming the first protected key set to a value.
 * With `allowNullRemoval`, `{ key: null }` for a protected key is ignored, as SuperTokens does in merges.
 */
export function assertNoProtectedKeys(payload: JSONObject, allowNullRemoval: boolean): void {
  for (const key of Object.keys(payload)) {
    if (!PROTECTED.has(key)) continue;
    if (allowNullRemoval && payload[key] === null) continue;
    throw new ProtectedPayloadKeyError(key);
  }
}

/** Drops `{ protected: null }` entries that merges ignore, after {@link assertNoProtectedKeys}. */
export function withoutProtectedKeys(payload: JSONObject): JSONObject {
  const out: JSONObject = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!PROTECTED.has(key) && value !== undefined) out[key] = value;
  }
  return out;
}

/** The application's part of a token payload (what is stored in the database). */
export function customClaimsOf(payload: JSONObject): JSONObject {
  const out: JSONObject = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!TOKEN_ONLY.has(key)) out[key] = value;
  }
  return out;
}
