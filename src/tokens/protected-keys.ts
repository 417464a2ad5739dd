import { ProtectedPayloadKeyError } from '../errors/payload-errors';
import { type JSONObject, jsonEqual } from '../json';

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
  // Not protected in SuperTokens; here because a custom `iss` would let the app make tokens
  // that claim another issuer, and would never match the stored payload.
  'iss',
  // Registered JWT claims other verifiers interpret: a future `nbf` makes every verifier refuse
  // the token (the client loops on refresh), `aud`/`jti` change what a token is accepted for.
  'nbf',
  'jti',
  'aud',
]);

const PROTECTED = new Set(PROTECTED_PAYLOAD_KEYS);

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
    if (!PROTECTED.has(key)) out[key] = value;
  }
  return out;
}

/**
 * What a legacy replace (`updateAccessTokenPayload`) stores: `payload` without what the session
 * itself put in its token. The seed's Python/Go form writes back the whole payload it read, so
 * the session's own values (protected keys unchanged, `derivedKey` such as the payload JWT) are
 * accepted and dropped; changing a protected key is refused as in merges.
 */
export function customPartOfReplacement(current: JSONObject, payload: JSONObject, derivedKey?: string): JSONObject {
  const custom: JSONObject = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    if (PROTECTED.has(key)) {
      if (value === null || jsonEqual(value, current[key])) continue;
      throw new ProtectedPayloadKeyError(key);
    }
    if (key === derivedKey) continue;
    custom[key] = value;
  }
  return custom;
}
