import { FreshAuthClaim } from '../session/built-in-claims/fresh-auth.claim';
import { RequireClaim } from './require-claim.decorator';

/**
 * Step-up: the route needs an authentication at most `maxAgeSeconds` old (sign-in, or a re-auth
 * followed by `session.markFreshAuth()`); otherwise the standard 403 `invalid claim` with
 * `{ id: 'st-auth', reason }`, which SuperTokens' frontend SDKs handle as any claim failure.
 * Needs the `recordAuthTime` option (sessions without the time fail the check).
 */
export function RequireFreshAuth(maxAgeSeconds: number): ClassDecorator & MethodDecorator {
  return RequireClaim(FreshAuthClaim.validators.authenticatedWithin(maxAgeSeconds));
}
