import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { SessionConfig } from '../config/session-config';
import type { TokenTransferMethod } from '../config/session-module-options';
import { SessionWriteRefusedError } from '../errors/payload-errors';
import { SessionError, type SessionErrorResponse } from '../errors/session-error';
import { SESSION_CONFIG } from '../session.constants';
import { headersSent, type RequestLike } from '../transport/http-objects';
import { EVERY_TRANSFER_METHOD, TokenTransport } from '../transport/token-transport';
import { sessionGraphQLError } from './graphql-error';
import { exchangeOfHost } from './http-exchange';

/**
 * The one place a {@link SessionError} becomes a response, whoever threw it (the guard, the
 * refresh route, a handler, `session.assertClaims()`): tokens cleared where SuperTokens clears
 * them, then the `errorHandlers` answer or the default body. The module registers it as a global
 * filter that catches only `SessionError`, so the app's own filters keep every other error.
 */
@Catch(SessionError, SessionWriteRefusedError)
@Injectable()
export class SessionErrorFilter implements ExceptionFilter<SessionError | SessionWriteRefusedError> {
  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    private readonly transport: TokenTransport,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  catch(error: SessionError | SessionWriteRefusedError, host: ArgumentsHost): unknown {
    const exchange = exchangeOfHost(host);
    if (!exchange) return error;
    if (error instanceof SessionWriteRefusedError) return this.refusedWrite(error, host, exchange.response);
    const { request, response } = exchange;
    if (response && !headersSent(response)) {
      const methods = this.tokensToClear(error);
      if (methods.length > 0) this.transport.clearTokens(response, methods);
    }
    const answer = this.handlerAnswer(error, request) ?? { statusCode: error.getStatus(), body: error.getResponse() };
    // GraphQL: a GraphQL error with the body in `extensions`, which the resolver layer throws.
    if (host.getType<string>() === 'graphql') return sessionGraphQLError(error, answer);
    // A context without a response: the error goes back to its own error layer.
    if (host.getType() !== 'http' || !response) return error;
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return adapter.end(response);
    // A non-object body is wrapped the way Nest wraps an HttpException's string response.
    const body = answer.body !== null && typeof answer.body === 'object' ? answer.body : { statusCode: answer.statusCode, message: answer.body };
    adapter.reply(response, body, answer.statusCode);
    return undefined;
  }

  /** A refused payload or session-data write: 400 with the error's JSON body; the session and its tokens are untouched. */
  private refusedWrite(error: SessionWriteRefusedError, host: ArgumentsHost, response: unknown): unknown {
    if (host.getType() !== 'http' || !response) return error;
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return adapter.end(response);
    adapter.reply(response, error.getResponse(), error.getStatus());
    return undefined;
  }

  /**
   * Unauthorised (unless the error says not to) and theft clear the tokens of every transfer
   * method, as supertokens-node does: not only what the request carried, since the client may
   * hold tokens it did not send (an HttpOnly cookie beside a header session) and this response
   * may already carry new ones (a session created, then refused).
   */
  private tokensToClear(error: SessionError): readonly TokenTransferMethod[] {
    if (error.type === 'UNAUTHORISED') return error.clearTokens ? EVERY_TRANSFER_METHOD : [];
    if (error.type === 'TOKEN_THEFT_DETECTED') return EVERY_TRANSFER_METHOD;
    return [];
  }

  /** The app's `errorHandlers` answer for this error, if it gives one. */
  private handlerAnswer(error: SessionError, request: RequestLike): SessionErrorResponse | undefined {
    const handlers = this.config.errorHandlers;
    switch (error.type) {
      case 'UNAUTHORISED':
        return handlers.onUnauthorised?.({ message: error.message, request });
      case 'TRY_REFRESH_TOKEN':
        return handlers.onTryRefreshToken?.({ message: error.message, request });
      case 'TOKEN_THEFT_DETECTED':
        return error.theft ? handlers.onTokenTheftDetected?.({ ...error.theft, request }) : undefined;
      case 'INVALID_CLAIMS':
        return handlers.onInvalidClaim?.({ claimValidationErrors: error.payload ?? [], request });
      case 'CLEAR_DUPLICATE_SESSION_COOKIES':
        return handlers.onClearDuplicateSessionCookies?.({ message: error.message, request });
    }
  }
}

