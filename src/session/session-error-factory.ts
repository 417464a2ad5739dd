import type { ClaimValidationError } from '../claims/types';
import type { SessionConfig } from '../config/session-config';
import { headersSent, type HttpExchange } from '../transport/http-objects';
import type { TokenTransport } from '../transport/token-transport';
import {
  InvalidClaimsError,
  type SessionError,
  TokenTheftDetectedError,
  TryRefreshTokenError,
  UnauthorisedError,
} from '../errors/session-error';

/**
 * Makes the module's errors: applies the app's `errorHandlers` to the body and status, and
 * clears the client's tokens where SuperTokens does (unauthorised with tokens, theft).
 */
export class SessionErrorFactory {
  constructor(
    private readonly config: SessionConfig,
    private readonly transport: TokenTransport,
  ) {}

  unauthorised(scene: HttpExchange, message = 'unauthorised', clearTokens = true): SessionError {
    const carried = scene.request ? this.transport.carriesTokens(scene.request) : false;
    const clear = clearTokens && carried;
    if (clear) this.clear(scene);
    const custom = this.config.errorHandlers.onUnauthorised?.({ message, request: scene.request });
    return new UnauthorisedError(message, clear, custom);
  }

  tryRefreshToken(scene: HttpExchange, message = 'try refresh token'): SessionError {
    const custom = this.config.errorHandlers.onTryRefreshToken?.({ message, request: scene.request });
    return new TryRefreshTokenError(message, custom);
  }

  tokenTheft(scene: HttpExchange, theft: { sessionHandle: string; userId: string; tenantId: string }): SessionError {
    this.clear(scene);
    const custom = this.config.errorHandlers.onTokenTheftDetected?.({ ...theft, request: scene.request });
    return new TokenTheftDetectedError(theft, custom);
  }

  invalidClaims(scene: HttpExchange, errors: ClaimValidationError[]): SessionError {
    const custom = this.config.errorHandlers.onInvalidClaim?.({ claimValidationErrors: errors, request: scene.request });
    return new InvalidClaimsError(errors, custom);
  }

  private clear(scene: HttpExchange): void {
    if (!scene.request || !scene.response || headersSent(scene.response)) return;
    const methods = this.transport.methodsCarried(scene.request);
    this.transport.clearTokens(scene.response, methods.length > 0 ? methods : ['cookie']);
  }
}
