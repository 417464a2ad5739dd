import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { UserContext } from '../claims/types';
import type { SessionContainer } from './session-container';

/** Replace (or extend) the global validators for one route. */
export type OverrideGlobalClaimValidators = (
  globalValidators: SessionClaimValidator[],
  session: SessionContainer,
  userContext: UserContext,
) => SessionClaimValidator[] | Promise<SessionClaimValidator[]>;

/** How a route verifies its session (SuperTokens' `VerifySessionOptions`). */
export interface VerifySessionOptions {
  /** Default true. With false, a request without tokens reaches the handler with no session. */
  sessionRequired?: boolean;
  /** Force the anti-CSRF check on or off (default: on for unsafe methods in cookie mode). */
  antiCsrfCheck?: boolean;
  /** Also check the database, so a revoked session is refused at once (one query). */
  checkDatabase?: boolean;
  /** Per-route claim validators. */
  overrideGlobalClaimValidators?: OverrideGlobalClaimValidators;
}
