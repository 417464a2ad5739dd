import type { UserContext } from '../claims/types';
import type { SessionConfig } from '../config/session-config';
import type { SessionErrorFactory } from './session-error-factory';
import type { SessionStore } from '../storage/session-store';
import type { AccessTokenIssuer } from '../tokens/access-token-issuer';
import type { TokenTransport } from '../transport/token-transport';

/** What a session object needs from its module; one per app, never global. */
export interface SessionRuntime {
  readonly config: SessionConfig;
  readonly store: SessionStore;
  readonly issuer: AccessTokenIssuer;
  readonly transport: TokenTransport;
  readonly errors: SessionErrorFactory;
  /** A user context carrying the app's `ModuleRef` (and the request, when there is one). */
  userContext(request?: unknown, extra?: UserContext): UserContext;
}
