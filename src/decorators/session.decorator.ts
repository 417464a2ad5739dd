import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { getHttpRequest } from '../http/http-exchange';
import { readRequestState } from '../http/request-state';
import type { SessionContainer } from '../session/session-container';

/** Shortcuts `@Session('userId')` understands; any other name reads that access-token payload key. */
export type SessionProperty = 'userId' | 'tenantId' | 'sessionHandle' | 'accessTokenPayload' | string;

function pick(session: SessionContainer | undefined, property: SessionProperty | undefined): unknown {
  if (!session || property === undefined) return session;
  switch (property) {
    case 'userId':
      return session.getUserId();
    case 'tenantId':
      return session.getTenantId();
    case 'sessionHandle':
      return session.getHandle();
    case 'accessTokenPayload':
      return session.getAccessTokenPayload();
    default:
      return session.getAccessTokenPayload()[property];
  }
}

/**
 * The verified session of the request (or one of its properties). `undefined` when the route
 * allows requests without a session. Needs an `AuthGuard` on the route (`WsAuthGuard` on a gateway).
 */
export const Session = createParamDecorator((property: SessionProperty | undefined, context: ExecutionContext) =>
  pick(readRequestState(sessionHolder(context))?.session as SessionContainer | undefined, property),
);

/** Where the guard left the session: the request, or for gateway messages the socket (see `WsAuthGuard`). */
function sessionHolder(context: ExecutionContext): unknown {
  return context.getType() === 'ws' ? context.switchToWs().getClient() : getHttpRequest(context);
}
