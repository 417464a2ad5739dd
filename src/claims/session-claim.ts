import type { JSONObject } from '../json';
import type { UserContext } from './types';

/**
 * A named piece of state kept in the access-token payload under {@link SessionClaim.key},
 * together with the knowledge of how to (re)fetch it from its source of truth.
 *
 * Mirrors supertokens-node's `SessionClaim`, except that `fetchValue` and `build` take only
 * `(userId, tenantId, userContext)`: we have no account linking, so there is no separate
 * recipe user id, and fetchers that need the current payload can read it from `userContext`.
 */
export abstract class SessionClaim<T> {
  /** @param key the access-token payload key this claim is stored under (e.g. `st-role`). */
  constructor(public readonly key: string) {}

  /**
   * Fetches the current value for the user. Returning `undefined` means "leave the payload
   * alone" (e.g. a 2FA claim that must not be added automatically), not "remove the claim".
   */
  abstract fetchValue(
    userId: string,
    tenantId: string,
    userContext: UserContext,
  ): Promise<T | undefined> | T | undefined;

  /** Returns a copy of `payload` with `value` stored under this claim (input not mutated). */
  abstract addToPayload_internal(payload: JSONObject, value: T, userContext?: UserContext): JSONObject;

  /**
   * Returns a copy of `payload` with this claim set to `null`: merged into an access-token
   * payload, `null` deletes the key, so this is how a claim is removed through a merge.
   */
  abstract removeFromPayloadByMerge_internal(payload: JSONObject, userContext?: UserContext): JSONObject;

  /** Returns a copy of `payload` without this claim's key at all (for full-payload replaces). */
  abstract removeFromPayload(payload: JSONObject, userContext?: UserContext): JSONObject;

  /** Reads this claim's value from `payload`; `undefined` when the claim is absent. */
  abstract getValueFromPayload(payload: JSONObject, userContext?: UserContext): T | undefined;

  /**
   * When the value in `payload` was fetched (ms since epoch), if the claim records it.
   * Optional because supertokens-node's base class does not require it, yet the documented
   * claim interface and our built-in claims expose it.
   */
  getLastRefetchTime?(payload: JSONObject, userContext?: UserContext): number | undefined;

  /**
   * Fetches the value and returns the payload fragment to merge into a new session
   * (`{}` when the fetcher returned `undefined`, so nothing is added).
   */
  async build(userId: string, tenantId: string, userContext: UserContext = {}): Promise<JSONObject> {
    const value = await this.fetchValue(userId, tenantId, userContext);
    if (value === undefined) {
      return {};
    }
    return this.addToPayload_internal({}, value, userContext);
  }
}

/** The value type of a claim object: `ClaimValue<typeof RoleClaim>` (`PrimitiveClaim<T>` → `T`). */
export type ClaimValue<C> = C extends SessionClaim<infer T> ? T : never;
