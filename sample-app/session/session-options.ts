import type { SessionModuleOptions } from '../../src';
import type { SampleConfig } from '../config/sample-config';
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
 * Step-up: `recordAuthTime` keeps the time of the last real authentication in `st-auth`
 * (refreshes carry it unchanged); signing out another device checks it (see devices.controller.ts).
 *
 * Storage: no `database` here. The module is declared with `dataSourceName: 'default'` (see
 * app.module.ts), so sessions live in the app's own `@nestjs/typeorm` DataSource: one SQLite
 * connection, and `autoLoadEntities` picks up the session tables next to the users table.
 */
export function sampleSessionOptions(config: SampleConfig, users: UsersService): SessionModuleOptions {
  return {
    accessTokenValidity: config.accessTokenValidity,
    refreshGracePeriod: config.refreshGracePeriod,
    recordAuthTime: true,
    emailVerification: {
      mode: 'REQUIRED',
      isEmailVerified: (userId) => users.isEmailVerified(userId),
    },
    claimsToAddOnCreate: [SecondFactorClaim],
    globalClaimValidators: (defaultValidators) => [...defaultValidators, SecondFactorClaim.validators.isTrue()],
  };
}
