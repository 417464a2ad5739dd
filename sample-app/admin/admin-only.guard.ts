import { AuthGuard, UserRoleClaim } from '../../src';

/**
 * The admin routes' guard, as the seed writes it: the global validators (verified email,
 * completed 2FA) plus "has the admin role". A non-admin gets 403 naming `st-role`.
 *
 * `checkDatabase: true` reads the stored session on each admin request (one query), so a role
 * granted or revoked through the admin API counts on the user's very next request, and a revoked
 * session is refused at once (see `RoleGrantsService`).
 */
export const AdminOnly = new AuthGuard({
  checkDatabase: true,
  overrideGlobalClaimValidators: async (globalValidators) => [...globalValidators, UserRoleClaim.validators.includes('admin')],
});
