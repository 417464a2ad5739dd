import { type ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SessionConfigError } from '../errors/session-config-error';
import { SessionError } from '../errors/session-error';
import { AuthGuard } from '../guards/auth.guard';
import { isSocketIo, rejectClient, wsErrorBody } from './ws-client';
import { WsSessions } from './ws-sessions.service';

/** What the guard uses of `@nestjs/websockets` (an optional peer): loaded when a message is refused. */
interface NestWebSockets {
  WsException: new (error: object) => Error;
  BaseWsExceptionFilter?: { prototype: { emitMessage?: unknown } };
}

function nestWebSockets(): NestWebSockets {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@nestjs/websockets') as NestWebSockets;
}

/**
 * Whether Nest's own exception filter delivers a guard's `WsException` to this client: always on
 * socket.io; on `ws` from Nest 12 (its filter `send`s to native WebSockets, Nest 11's only `emit`s).
 */
function nestNotifies(client: object): boolean {
  return isSocketIo(client) || typeof nestWebSockets().BaseWsExceptionFilter?.prototype.emitMessage === 'function';
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
      // Nest's exception filter sends the WsException below where it can (socket.io, Nest 12's ws); else we do.
      rejectClient(client, error, { notify: !nestNotifies(client) });
      throw new (nestWebSockets().WsException)(wsErrorBody(error));
    }
  }
}
