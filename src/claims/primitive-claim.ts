import type { JSONPrimitive } from '../json';
import type { SessionClaimValidator } from './session-claim-validator';
import { TimestampedClaim, type TimestampedClaimConfig } from './timestamped-claim';

/** Validators offered by {@link PrimitiveClaim}. */
export interface PrimitiveClaimValidators<T extends JSONPrimitive> {
  /**
   * Passes when the claim equals `val` (strict `===`).
   * @param maxAgeInSeconds defaults to the claim's `defaultMaxAgeInSeconds`; 0 = refetch on every check.
   * @param id defaults to the claim key.
   */
  hasValue: (val: T, maxAgeInSeconds?: number, id?: string) => SessionClaimValidator;
}

/**
 * A claim holding one JSON primitive (string, number, boolean or null), stored as
 * `{ v, t }`. Same behaviour and reason shapes as supertokens-node's `PrimitiveClaim`.
 */
export class PrimitiveClaim<T extends JSONPrimitive> extends TimestampedClaim<T> {
  /** @param config `{ key, fetchValue, defaultMaxAgeInSeconds? }`. */
  constructor(config: TimestampedClaimConfig<T>) {
    super(config);
  }

  /** Validator factories; not readonly so subclasses (e.g. BooleanClaim) can extend the set. */
  validators: PrimitiveClaimValidators<T> = {
    // The default parameter (not `?? default`) matches supertokens-node: an explicit
    // `undefined` also falls back to the claim's default max age.
    hasValue: (val: T, maxAgeInSeconds: number | undefined = this.defaultMaxAgeInSeconds, id?: string) =>
      this.createValidator({
        id: id ?? this.key,
        maxAgeInSeconds,
        expectationWhenMissing: { expectedValue: val },
        expectation: { expectedValue: val },
        isSatisfied: (value) => value === val,
      }),
  };
}
