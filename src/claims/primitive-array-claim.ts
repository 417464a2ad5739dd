import type { SessionClaimValidator } from './session-claim-validator';
import { TimestampedClaim, type TimestampedClaimConfig } from './timestamped-claim';
import type { JSONPrimitive } from '../json';

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
      this.createValidator({
        id: id ?? this.key,
        maxAgeInSeconds,
        expectationWhenMissing: { expectedToInclude: val },
        expectation: { expectedToInclude: val },
        isSatisfied: (value) => value.includes(val),
      }),
    excludes: (val, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.createValidator({
        id: id ?? this.key,
        maxAgeInSeconds,
        expectationWhenMissing: { expectedToNotInclude: val },
        expectation: { expectedToNotInclude: val },
        isSatisfied: (value) => !value.includes(val),
      }),
    includesAll: (vals, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.createValidator({
        id: id ?? this.key,
        maxAgeInSeconds,
        expectationWhenMissing: { expectedToInclude: vals },
        expectation: { expectedToInclude: vals },
        isSatisfied: (value) => {
          const present = new Set(value);
          return vals.every((v) => present.has(v));
        },
      }),
    excludesAll: (vals, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.createValidator({
        id: id ?? this.key,
        maxAgeInSeconds,
        expectationWhenMissing: { expectedToNotInclude: vals },
        expectation: { expectedToNotInclude: vals },
        isSatisfied: (value) => {
          const present = new Set(value);
          return vals.every((v) => !present.has(v));
        },
      }),
    includesAny: (vals, maxAgeInSeconds = this.defaultMaxAgeInSeconds, id) =>
      this.createValidator({
        id: id ?? this.key,
        maxAgeInSeconds,
        // supertokens-node reports `expectedToNotInclude` (sic) when the value is missing,
        // but `expectedToIncludeAtLeastOneOf` for a wrong value; kept for wire compatibility.
        expectationWhenMissing: { expectedToNotInclude: vals },
        expectation: { expectedToIncludeAtLeastOneOf: vals },
        isSatisfied: (value) => {
          const present = new Set(value);
          return vals.some((v) => present.has(v));
        },
      }),
  };
}
