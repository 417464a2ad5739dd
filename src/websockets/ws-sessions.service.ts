import { Injectable } from '@nestjs/common';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import { SessionError, UnauthorisedError } from '../errors/session-error';
import { readRequestState, writeRequestState } from '../http/request-state';
import type { SessionContainer } from '../session/session-container';
import { SessionService } from '../session/session.service';
import type { VerifySessionOptions } from '../session/verify-session-options';
import { handshakeOriginAllowed, readHandshakeToken, rejectClient, wsErrorBody } from './ws-client';

/** Options of the handshake check. */
export interface WsHandshakeOptions extends Pick<VerifySessionOptions, 'sessionRequired' | 'checkDatabase' | 'overrideGlobalClaimValidators'> {
  /**
   * Origins a cookie handshake may come from (e.g. `['https://app.example.com']`). Default: the
   * handshake's own host. Bearer / `auth` handshakes are not checked (the token is not ambient).
   */
  allowedOrigins?: readonly string[];
}

/** The access token a socket was authenticated with (kept to verify it again on every message). */
const WS_ACCESS_TOKEN = Symbol('nest-session:ws-access-token');
/** The handshake check under way: a message that arrives before it ends waits for it. */
const WS_HANDSHAKE = Symbol('nest-session:ws-handshake');
type HoldsToken = { [WS_ACCESS_TOKEN]?: string; [WS_HANDSHAKE]?: Promise<unknown> };

/**
 * Sessions on WebSocket gateways (socket.io and `ws`). Nest's guards, global or not, cannot protect
 * `handleConnection`, so the gateway calls {@link authenticate} there (or installs
 * {@link socketIoMiddleware}); `WsAuthGuard` then verifies the session again on every message, so
 * a revoked session's socket is closed on its next message.
 */
@Injectable()
export class WsSessions {
  constructor(private readonly sessions: SessionService) {}

  /**
   * Verifies the handshake's session (`Authorization: Bearer`, socket.io `auth.accessToken`, or the
   * `sAccessToken` cookie from an allowed origin) and keeps it on the socket. On failure the client
   * gets an `exception` with SuperTokens' body and the socket is closed; returns `undefined`.
   * Call it from `handleConnection(client, request)` (`ws` passes the upgrade request).
   */
  async authenticate(client: object, request?: unknown, options: WsHandshakeOptions = {}): Promise<SessionContainer | undefined> {
    // socket.io and ws deliver messages as soon as the socket is open, while this check may still
    // be reading keys or the database: the guard waits for it (see verifyMessage).
    const handshake = this.verifyHandshake(client, request, options);
    (client as HoldsToken)[WS_HANDSHAKE] = handshake.catch(() => undefined);
    try {
      return await handshake;
    } catch (error) {
      if (!(error instanceof SessionError)) throw error;
      rejectClient(client, error, { notify: true });
      return undefined;
    }
  }

  /**
   * A socket.io middleware (`server.use(...)` in `afterInit`) that refuses the connection before it
   * opens: the client's `connect_error` has SuperTokens' message and the body in `data`.
   */
  socketIoMiddleware(options: WsHandshakeOptions = {}): (socket: object, next: (error?: Error) => void) => void {
    return (socket, next) => {
      this.verifyHandshake(socket, undefined, options).then(
        () => next(),
        (error: unknown) => {
          if (!(error instanceof SessionError)) return next(error as Error);
          const body = wsErrorBody(error);
          next(Object.assign(new Error(String(body.message)), { data: body }));
        },
      );
    };
  }

  /** The session the socket was last verified with (handshake or message), if any. */
  sessionOf(client: object): SessionContainer | undefined {
    return readRequestState(client)?.session as SessionContainer | undefined;
  }

  /**
   * Verifies the socket's session again for one message (what `WsAuthGuard` calls): signature and
   * expiry, the database (`checkDatabase` defaults to true here, so revocation counts), and the
   * claim validators with `requiredClaims` added. A token re-issued by a claim refetch is kept.
   */
  async verifyMessage(client: object, options: VerifySessionOptions = {}, requiredClaims: SessionClaimValidator[] = []): Promise<SessionContainer | undefined> {
    await (client as HoldsToken)[WS_HANDSHAKE];
    const token = (client as HoldsToken)[WS_ACCESS_TOKEN];
    if (token === undefined) {
      if (options.sessionRequired === false) return undefined;
      throw new UnauthorisedError('session does not exist', false);
    }
    const override = options.overrideGlobalClaimValidators;
    const session = await this.sessions.getSessionWithoutRequestResponse(token, undefined, {
      checkDatabase: true,
      ...options,
      // Cross-site forgery is a handshake matter (origins checked there); messages ride the socket.
      antiCsrfCheck: false,
      overrideGlobalClaimValidators:
        requiredClaims.length === 0
          ? override
          : async (global, session, userContext) => [...(override ? await override(global, session, userContext) : global), ...requiredClaims],
    });
    this.hold(client, session);
    return session;
  }

  private async verifyHandshake(client: object, request: unknown, options: WsHandshakeOptions): Promise<SessionContainer | undefined> {
    const found = readHandshakeToken(client, request);
    if (!found) {
      if (options.sessionRequired === false) return undefined;
      throw new UnauthorisedError('session does not exist', false);
    }
    if (found.from === 'cookie' && !handshakeOriginAllowed(client, request, options.allowedOrigins)) {
      throw new UnauthorisedError('WebSocket handshake from an origin that is not allowed', false);
    }
    const session = await this.sessions.getSessionWithoutRequestResponse(found.token, undefined, {
      checkDatabase: options.checkDatabase,
      overrideGlobalClaimValidators: options.overrideGlobalClaimValidators,
      antiCsrfCheck: false,
    });
    this.hold(client, session);
    return session;
  }

  private hold(client: object, session: SessionContainer): void {
    (client as HoldsToken)[WS_ACCESS_TOKEN] = session.getAccessToken();
    writeRequestState(client, { session });
  }
}
