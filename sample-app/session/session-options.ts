import type { DataSource } from 'typeorm';
import type { SessionModuleOptions } from '../../src';
import type { SampleConfig } from '../config/sample-config';
import { sampleDatabaseOptions } from '../database/database-options';
import { SecondFactorClaim } from '../two-factor/second-factor.claim';
import type { UsersService } from '../users/users.service';

/**
 * How the sample app configures sessions. Everything not set here keeps the library's
 * SuperTokens defaults (header mode unless `st-auth-mode: cookie`, routes under `/auth`).
 *
 * Claims: every guarded route checks, through the global validators,
 * - `st-ev` (email verified): `emailVerification` in mode `REQUIRED` adds
 *   `EmailVerificationClaim.validators.isVerified()` to the defaults; its source is the users table;
 * - `2fa-completed` (second factor done): added by `globalClaimValidators` below.
 * Routes that must work before those steps are done filter them out (see `sign-in-steps.ts`).
 * New sessions also carry `st-role` and `st-perm` (the library adds them by default) and
 * `2fa-completed: false`, so the page sees every pending step in the front-token at once.
 *
 * Storage: the module opens its own DataSource on the app's SQLite file. The app's DataSource
 * is passed in so this runs after it has synchronised its schema (two schema syncs on one
 * SQLite file must not overlap); to share that DataSource instead of opening a second one,
 * pass `dataSource: appDataSource` in place of `database`.
 */
export function sampleSessionOptions(config: SampleConfig, _appDataSource: DataSource, users: UsersService): SessionModuleOptions {
  return {
    database: sampleDatabaseOptions(config),
    synchronize: true,
    accessTokenValidity: config.accessTokenValidity,
    emailVerification: {
      mode: 'REQUIRED',
      isEmailVerified: (userId) => users.isEmailVerified(userId),
    },
    claimsToAddOnCreate: [SecondFactorClaim],
    globalClaimValidators: (defaultValidators) => [...defaultValidators, SecondFactorClaim.validators.isTrue()],
  };
}
