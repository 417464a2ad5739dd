import type { JSONObject, JSONPrimitive } from '../json';
import type { SessionClaimValidator } from './session-claim-validator';
import { TimestampedClaim, type TimestampedClaimConfig } from './timestamped-claim';

/**
 * Validators offered by {@link PrimitiveArrayClaim}. For each: `maxAgeInSeconds` defaults to
 * the claim's `defaultMaxAgeInSeconds` (0 = refetch on every check) and `id` to the claim key.
 */
export interface PrimitiveArrayClaimValidators<T extends JSONPrimitive> {
  /** Passes when the array contains `val`. */
  includes: (val: T, maxAgeInSeconds?: number, id?: string) => SessionClaimValidator;
  /** Passes when the array does not contain `val`. */
  excludes: (val: T, maxAgeInSeconds?: number, id?: string) => SessionClaimValidator;
  /** Passes when the array contains every item of `vals` (always passes for `[]`). */
  includesAll: (vals: T[], maxAgeInSeconds?: number, id?: string) => SessionClaimValidator;
  /** Passes when the array contains none of `vals` (always passes for `[]`). */
  excludesAll: (vals: T[], maxAgeInSeconds?: number, id?: string) => SessionClaimValidator;
  /** Passes when the array contains at least one item of `vals` (never passes for `[]`). */
  includesAny: (vals: T[], maxAgeInSeconds?: number, id?: string) => SessionClaimValidator;
}

/**
 * A claim holding an array of JSON primitives (e.g. roles), stored as `{ v, t }`. Same
 * behaviour and reason shapes as supertokens-node's `PrimitiveArrayClaim`.
 */
export class PrimitiveArrayClaim<T extends JSONPrimitive> extends TimestampedClaim<T[]> {
  /** @param config `{ key, fetchValue, defaultMaxAgeInSeconds? }`. */
  constructor(config: TimestampedClaimConfig<T[]>) {
    super(config);
  }

  /** Validator factories; not readonly so subclasses (e.g. role claims) can extend the set. */
  validators: PrimitiveArrayClaimValidators<T> = {
    includes: (val, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.arrayValidator(id, maxAgeInSeconds, { expectedToInclude: val }, (present) => present.has(val)),
    excludes: (val, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.arrayValidator(id, maxAgeInSeconds, { expectedToNotInclude: val }, (present) => !present.has(val)),
    includesAll: (vals, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.arrayValidator(id, maxAgeInSeconds, { expectedToInclude: vals }, (present) => vals.every((v) => present.has(v))),
    excludesAll: (vals, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.arrayValidator(id, maxAgeInSeconds, { expectedToNotInclude: vals }, (present) => vals.every((v) => !present.has(v))),
    // supertokens-node reports `expectedToNotInclude` (sic) when the value is missing, but
    // `expectedToIncludeAtLeastOneOf` for a wrong value; kept for wire compatibility.
    includesAny: (vals, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.arrayValidator(id, maxAgeInSeconds, { expectedToIncludeAtLeastOneOf: vals }, (present) => vals.some((v) => present.has(v)), {
        expectedToNotInclude: vals,
      }),
  };

  /** A validator whose check sees the array as a set; the reasons carry `expectation` (or `whenMissing`). */
  private arrayValidator(
    id: string | undefined,
    maxAgeInSeconds: number | undefined,
    expectation: JSONObject,
    holds: (present: Set<T>) => boolean,
    whenMissing: JSONObject = expectation,
  ): SessionClaimValidator {
    return this.createValidator({
      id: id ?? this.key,
      maxAgeInSeconds,
      expectationWhenMissing: whenMissing,
      expectation,
      isSatisfied: (value) => holds(new Set(value)),
    });
  }
}
