import type { INestApplication } from '@nestjs/common';
import request, { type Response, type Test } from 'supertest';
import { decodeFrontToken, jwtPayload } from './tokens';
import { refreshRequest, TRANSFER_MODES, tokensInMode, type TransferMode, withAccessToken } from './transfer-mode';

export { TRANSFER_MODES, type TransferMode };

/** What a response sent back to the client, decoded. */
export interface SentTokens {
  /** The access token, if the response set one. */
  access?: string;
  refresh?: string;
  /** The raw `front-token` header, if any. */
  front?: string;
}

/**
 * A browser-or-app stand-in holding one session's tokens in one transfer method: it signs in with
 * `st-auth-mode`, sends its access token the way that mode does, and refreshes on the refresh route.
 */
export function sessionClient(app: INestApplication | string, mode: TransferMode) {
  const target = () => (typeof app === 'string' ? app : app.getHttpServer());
  const tokensOf = (res: Response): SentTokens => {
    const t = tokensInMode(res, mode);
    return { access: t.access || undefined, refresh: t.refresh || undefined, front: t.front || undefined };
  };
  const withAccess = (req: Test, access: string) => withAccessToken(req, mode, access);

  return {
    mode,
    tokensOf,
    /** POST /login; returns the handle and the tokens of the response. */
    async login(body: Record<string, unknown> = {}, path = '/login') {
      const res = await request(target()).post(path).set('st-auth-mode', mode).send(body).expect(201);
      const tokens = tokensOf(res);
      return { res, handle: res.body.sessionHandle as string, access: tokens.access!, refresh: tokens.refresh!, front: tokens.front! };
    },
    get: (path: string, access: string) => withAccess(request(target()).get(path), access),
    post: (path: string, access: string, body?: object) => withAccess(request(target()).post(path), access).send(body ?? {}),
    put: (path: string, access: string, body?: object) => withAccess(request(target()).put(path), access).send(body ?? {}),
    /** POST /auth/session/refresh with the refresh token. */
    refresh: (refreshToken: string) => refreshRequest(target(), mode, refreshToken),
  };
}

/** The custom part of a decoded access-token payload (what the application put there). */
export function customClaims(payload: Record<string, any>): Record<string, any> {
  const tokenOnly = new Set(['sub', 'iat', 'exp', 'sessionHandle', 'refreshTokenHash1', 'parentRefreshTokenHash1', 'antiCsrfToken', 'tId', 'rsub', 'iss']);
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !tokenOnly.has(key)));
}

/** Custom claims of an access token (decoded, not verified). */
export function customClaimsOfToken(accessToken: string): Record<string, any> {
  return customClaims(jwtPayload(accessToken));
}

/** Custom claims the `front-token` header shows the frontend. */
export function customClaimsOfFrontToken(frontToken: string): Record<string, any> {
  return customClaims(decodeFrontToken(frontToken).up);
}
