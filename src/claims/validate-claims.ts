import { type JSONObject, jsonEqual } from '../json';
import { withClaimCheckTime } from './check-time';
import type { SessionClaimValidator } from './session-claim-validator';
import type { ClaimValidationError, UserContext } from './types';

/** Result of {@link refetchClaims}. */
export interface RefetchClaimsResult {
  /** Payload to validate: the input itself if nothing changed, otherwise a new object. */
  payload: JSONObject;
  /** Merge object to write back into the session (`null` = delete); `{}` when nothing changed. */
  update: JSONObject;
}

/** Result of {@link validateClaims}. */
export interface ValidateClaimsResult extends RefetchClaimsResult {
  /** Every failed validator, in validator order; empty when the session passes. */
  invalidClaims: ClaimValidationError[];
}

/**
 * Step 1 of claim validation: for each validator (in order) that has a `claim` and whose
 * `shouldRefetch` returns true, fetch the value and, unless it is `undefined`, store it in
 * the working payload. Later validators see earlier refetches, as in supertokens-node.
 *
 * The input payload is never mutated. Instead of the whole new payload (supertokens-node's
 * `accessTokenPayloadUpdate`), `update` holds only the top-level keys that changed, so the
 * session layer can merge it atomically without overwriting concurrent merges of other keys.
 */
export async function refetchClaims(
  validators: SessionClaimValidator[],
  payload: JSONObject,
  userId: string,
  tenantId: string,
  userContext: UserContext,
): Promise<RefetchClaimsResult> {
  let working = payload;
  for (const validator of validators) {
    const { claim, shouldRefetch } = validator;
    // Without both a claim and a refetch rule there is nothing to refresh (supertokens-node
    // types them as "both or neither"; we tolerate a lone one instead of crashing).
    if (claim === undefined || shouldRefetch === undefined) {
      continue;
    }
    if (!(await shouldRefetch(working, userContext))) {
      continue;
    }
    const value = await claim.fetchValue(userId, tenantId, userContext);
    if (value !== undefined) {
      // Hand the claim a copy so even a claim that edits its input in place cannot touch
      // the caller's payload.
      working = claim.addToPayload_internal(working === payload ? { ...payload } : working, value, userContext);
    }
  }
  return { payload: working, update: working === payload ? {} : diffPayloads(payload, working) };
}

/**
 * Step 2 of claim validation: runs every validator against `payload` (sequentially, no
 * short-circuit, so the 403 lists all failures) and returns `{ id, reason }` per failure,
 * in validator order. `reason` is omitted when the validator gave none.
 */
export async function runClaimValidators(
  validators: SessionClaimValidator[],
  payload: JSONObject,
  userContext: UserContext,
): Promise<ClaimValidationError[]> {
  const errors: ClaimValidationError[] = [];
  for (const validator of validators) {
    const result = await validator.validate(payload, userContext);
    if (!result.isValid) {
      errors.push(result.reason === undefined ? { id: validator.id } : { id: validator.id, reason: result.reason });
    }
  }
  return errors;
}

/**
 * Both steps: refetch what needs refetching, then validate the refreshed payload. The
 * caller should write `update` back even when `invalidClaims` is not empty (the refetched
 * values are correct either way, and writing them avoids refetching on the next request),
 * and should write it after this returns: validation reads the refreshed payload in memory.
 *
 * The whole check runs at one instant: the built-in validators measure ages against the time
 * the check started (pinned in a copy of `userContext`), so a value refetched here always
 * passes a `maxAgeInSeconds: 0` validator instead of being "expired" by a millisecond.
 */
export async function validateClaims(
  validators: SessionClaimValidator[],
  payload: JSONObject,
  userId: string,
  tenantId: string,
  userContext: UserContext,
): Promise<ValidateClaimsResult> {
  const context = withClaimCheckTime(userContext);
  const refetched = await refetchClaims(validators, payload, userId, tenantId, context);
  const invalidClaims = await runClaimValidators(validators, refetched.payload, context);
  return { ...refetched, invalidClaims };
}

/** Top-level keys whose value differs from `before` to `after`; removed keys map to `null`. */
function diffPayloads(before: JSONObject, after: JSONObject): JSONObject {
  const update: JSONObject = {};
  for (const [key, value] of Object.entries(after)) {
    if (value !== undefined && !jsonEqual(before[key], value)) {
      update[key] = value;
    }
  }
  for (const [key, value] of Object.entries(before)) {
    // `null` and a missing key both mean "absent", so only a real value needs deleting.
    if (value !== undefined && value !== null && after[key] === undefined) {
      update[key] = null;
    }
  }
  return update;
}
