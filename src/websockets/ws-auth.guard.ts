import { type ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SessionConfigError } from '../errors/session-config-error';
import { SessionError } from '../errors/session-error';
import { AuthGuard } from '../guards/auth.guard';
import { isSocketIo, rejectClient, wsErrorBody } from './ws-client';
import { WsSessions } from './ws-sessions.service';

/** `@nestjs/websockets` (an optional peer): loaded when a message is refused. */
function wsException(body: object): Error {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { WsException } = require('@nestjs/websockets') as { WsException: new (error: object) => Error };
  return new WsException(body);
}

/**
 * `AuthGuard` for gateway messages (`@UseGuards(WsAuthGuard)` on a gateway or a
 * `@SubscribeMessage` handler): verifies the socket's session again on every message (database
 * included by default, so a revoked session is refused), runs the global validators plus
 * `@RequireClaim`, honours `@VerifySession` and `@Public()`, and puts the session where
 * `@Session()` reads it. A failed session closes the socket (ws: code 4401); a failed claim answers
 * that message with an `exception` (`invalid claim`, `claimValidationErrors`) and keeps the socket.
 * The socket must have been authenticated at the handshake (`WsSessions.authenticate`).
 */
@Injectable()
export class WsAuthGuard extends AuthGuard {
  constructor(
    private readonly ws: WsSessions,
    @Optional() reflector?: Reflector,
  ) {
    super({}, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'ws') throw new SessionConfigError('WsAuthGuard guards WebSocket gateways; use AuthGuard for HTTP and GraphQL');
    if (this.isPublic(context)) return true;
    const client = context.switchToWs().getClient<object>();
    try {
      await this.ws.verifyMessage(client, this.getOptions(context), this.getRequiredClaims(context));
      return true;
    } catch (error) {
      if (!(error instanceof SessionError)) throw error;
      // socket.io: Nest's exception filter emits the WsException below; ws: we send it ourselves.
      rejectClient(client, error, { notify: !isSocketIo(client) });
      throw wsException(wsErrorBody(error));
    }
  }
}
