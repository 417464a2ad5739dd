import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { getHttpPair } from '../context/http-context';
import type { SessionContainer } from '../session-container';
import { readRequestSymbol, SESSION_KEY } from '../session-request';

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
 * allows requests without a session. Needs an `AuthGuard` on the route.
 */
export const Session = createParamDecorator((property: SessionProperty | undefined, context: ExecutionContext) =>
  pick(readRequestSymbol<SessionContainer>(getHttpPair(context).request, SESSION_KEY), property),
);
