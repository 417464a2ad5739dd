import { PrimitiveClaim, type PrimitiveClaimValidators } from './primitive-claim';
import type { SessionClaimValidator } from './session-claim-validator';
import type { TimestampedClaimConfig } from './timestamped-claim';

/** Validators offered by {@link BooleanClaim}: `hasValue` plus `isTrue` / `isFalse`. */
export interface BooleanClaimValidators extends PrimitiveClaimValidators<boolean> {
  /** Same as `hasValue(true, maxAge, id)`. */
  isTrue: (maxAge?: number, id?: string) => SessionClaimValidator;
  /** Same as `hasValue(false, maxAge, id)`. */
  isFalse: (maxAge?: number, id?: string) => SessionClaimValidator;
}

/** A `PrimitiveClaim<boolean>` with `isTrue` / `isFalse` shortcuts (e.g. "2FA completed"). */
export class BooleanClaim extends PrimitiveClaim<boolean> {
  // `declare` so no field definition overwrites the value assigned in the constructor.
  declare validators: BooleanClaimValidators;

  /** @param config `{ key, fetchValue, defaultMaxAgeInSeconds? }`. */
  constructor(config: TimestampedClaimConfig<boolean>) {
    super(config);
    this.validators = {
      ...this.validators,
      // Looked up at call time so a subclass replacing `hasValue` changes these too.
      isTrue: (maxAge?: number, id?: string) => this.validators.hasValue(true, maxAge, id),
      isFalse: (maxAge?: number, id?: string) => this.validators.hasValue(false, maxAge, id),
    };
  }
}
