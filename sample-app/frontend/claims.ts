import { BooleanClaim } from 'supertokens-web-js/recipe/session';
import { UserRoleClaim } from 'supertokens-web-js/recipe/userroles';

/**
 * The backend's `2fa-completed` claim, as the SDK sees it. Only `POST /2fa/verify` sets it, and
 * its answer carries the new payload, so there is nothing to refetch: `refresh` does nothing.
 */
export const SecondFactorClaim = new BooleanClaim({
  id: '2fa-completed',
  refresh: async () => undefined,
});

/**
 * Checked in the browser to show the admin area; the backend checks the same claim again.
 * A function: the SDK's validators need `SuperTokens.init` to have run.
 */
export const isAdmin = () => UserRoleClaim.validators.includes('admin');

export { EmailVerificationClaim } from 'supertokens-web-js/recipe/emailverification';
export { PermissionClaim } from 'supertokens-web-js/recipe/userroles';
export { UserRoleClaim };
