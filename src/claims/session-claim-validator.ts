import type { JSONObject } from '../json';
import type { SessionClaim } from './session-claim';
import type { ClaimValidationResult, UserContext } from './types';

/**
 * A check run against the access-token payload when a session is verified.
 *
 * Built-in claims create these (`claim.validators.*`), but users may also write their own
 * object: with a `claim` + `shouldRefetch` the value is refreshed before `validate` runs;
 * without a `claim` it is a pure payload check. `validate` may return any JSON `reason`
 * (or none), which is sent as-is in the 403 `claimValidationErrors` body.
 */
export type SessionClaimValidator = {
  /** Identifies the validator in `claimValidationErrors`; usually the claim key. */
  id: string;
  /** The claim refreshed when `shouldRefetch` says so; absent for payload-only checks. */
  // `any` because one validator list mixes claims of every value type.
  claim?: SessionClaim<any>;
  /** Whether the claim's value in `payload` is missing or too old and must be refetched. */
  shouldRefetch?: (payload: JSONObject, userContext: UserContext) => Promise<boolean> | boolean;
  /** Decides from `payload` alone (no I/O expected) whether the session passes this check. */
  validate: (payload: JSONObject, userContext: UserContext) => Promise<ClaimValidationResult> | ClaimValidationResult;
};
