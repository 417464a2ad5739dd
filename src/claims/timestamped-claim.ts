import type { JSONObject, JSONValue } from '../json';
import { claimCheckNow, clockNow } from './check-time';
import { SessionClaim } from './session-claim';
import type { SessionClaimValidator } from './session-claim-validator';
import type { UserContext } from './types';

/** Constructor options shared by the built-in `{ v, t }` claims. */
export interface TimestampedClaimConfig<T> {
  /** Access-token payload key the claim is stored under. */
  key: string;
  /** Loads the current value; `undefined` leaves the payload untouched. */
  fetchValue: SessionClaim<T>['fetchValue'];
  /** Max age used by validators when the caller passes none; `undefined` = refetch only when missing. */
  defaultMaxAgeInSeconds?: number;
}

/** What a built-in validator needs to describe its check (see {@link TimestampedClaim.createValidator}). */
export interface TimestampedValidatorSpec<T> {
  /** Validator id reported on failure. */
  id: string;
  /** Max age of the stored value; `undefined` means it never expires. */
  maxAgeInSeconds: number | undefined;
  /** Expectation fields put in the "value does not exist" reason, e.g. `{ expectedValue }`. */
  expectationWhenMissing: JSONObject;
  /** Expectation fields put in the "wrong value" reason. */
  expectation: JSONObject;
  /** The actual check on a present, fresh value. */
  isSatisfied: (value: T) => boolean;
}

/**
 * Base of `PrimitiveClaim` and `PrimitiveArrayClaim`: stores `payload[key] = { v, t }` where
 * `t` is the fetch time in ms, and builds validators with supertokens-node's refetch/expiry
 * rules and reason shapes. supertokens-node duplicates this in each class; sharing it keeps
 * the two from drifting apart.
 */
export abstract class TimestampedClaim<T extends JSONValue> extends SessionClaim<T> {
  /** The fetcher passed in the config (a property, so subclasses can just forward config). */
  readonly fetchValue: SessionClaim<T>['fetchValue'];
  /** Max age used by validators when none is passed; `undefined` = refetch only when missing. */
  readonly defaultMaxAgeInSeconds: number | undefined;

  /** @param config key, fetcher and optional default max age. */
  constructor(config: TimestampedClaimConfig<T>) {
    super(config.key);
    this.fetchValue = config.fetchValue;
    this.defaultMaxAgeInSeconds = config.defaultMaxAgeInSeconds;
  }

  /** Returns a copy of `payload` with `{ v: value, t: now }` under the key (now: the module's clock). */
  addToPayload_internal(payload: JSONObject, value: T, userContext?: UserContext): JSONObject {
    return { ...payload, [this.key]: { v: value, t: clockNow(userContext) } };
  }

  /** Returns a copy of `payload` with the key set to `null` (deletes it when merged). */
  removeFromPayloadByMerge_internal(payload: JSONObject, _userContext?: UserContext): JSONObject {
    return { ...payload, [this.key]: null };
  }

  /** Returns a copy of `payload` without the key. */
  removeFromPayload(payload: JSONObject, _userContext?: UserContext): JSONObject {
    const copy = { ...payload };
    delete copy[this.key];
    return copy;
  }

  /** Returns `payload[key].v`, or `undefined` when the claim is absent or removed (`null`). */
  getValueFromPayload(payload: JSONObject, _userContext?: UserContext): T | undefined {
    return this.entry(payload)?.v as T | undefined;
  }

  /** Returns `payload[key].t` (fetch time in ms), or `undefined` when absent. */
  override getLastRefetchTime(payload: JSONObject, _userContext?: UserContext): number | undefined {
    const t = this.entry(payload)?.t;
    return typeof t === 'number' ? t : undefined;
  }

  /**
   * Builds a validator following supertokens-node exactly: refetch when the value is missing
   * or older than `maxAgeInSeconds`; `validate` reports, in this order, "value does not
   * exist", "expired" (re-checked because a refetch may have returned `undefined` and left
   * the old value in place), then "wrong value".
   */
  protected createValidator(spec: TimestampedValidatorSpec<T>): SessionClaimValidator {
    const { id, maxAgeInSeconds, expectationWhenMissing, expectation, isSatisfied } = spec;
    return {
      id,
      claim: this,
      shouldRefetch: (payload, userContext) => {
        if (this.getValueFromPayload(payload, userContext) === undefined) {
          return true;
        }
        if (maxAgeInSeconds === undefined) {
          return false;
        }
        const t = this.getLastRefetchTime(payload, userContext);
        // `t < now - maxAge` (not `<=`) as in supertokens-node; Infinity never refetches.
        return t !== undefined && t < claimCheckNow(userContext) - maxAgeInSeconds * 1000;
      },
      validate: async (payload, userContext) => {
        const value = this.getValueFromPayload(payload, userContext);
        if (value === undefined) {
          return {
            isValid: false,
            // `actualValue: undefined` is kept for parity; it vanishes when sent as JSON.
            reason: { message: 'value does not exist', ...expectationWhenMissing, actualValue: value },
          };
        }
        // A missing `t` gives NaN, which is never "> maxAge": such values never expire. "Now" is the
        // instant the check started when `validateClaims` pinned it (see check-time.ts).
        const ageInSeconds = (claimCheckNow(userContext) - (this.getLastRefetchTime(payload, userContext) as number)) / 1000;
        if (maxAgeInSeconds !== undefined && ageInSeconds > maxAgeInSeconds) {
          return { isValid: false, reason: { message: 'expired', ageInSeconds, maxAgeInSeconds } };
        }
        if (!isSatisfied(value)) {
          return { isValid: false, reason: { message: 'wrong value', ...expectation, actualValue: value } };
        }
        return { isValid: true };
      },
    };
  }

  /** The stored `{ v, t }` object, or `undefined` when the key holds anything else. */
  private entry(payload: JSONObject): JSONObject | undefined {
    const raw = payload[this.key];
    return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : undefined;
  }
}
