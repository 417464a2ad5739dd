import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { SessionModuleOptions } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { createTestApp, PLATFORMS, type Platform } from '../support/platforms';
import { cookieTokens, decodeFrontToken, headerTokens, jwtHeader, jwtPayload, setCookie, setCookies, lifetimeWithinJitter } from '../support/tokens';

/**
 * Both transfer methods speak SuperTokens' wire format — cookie names, paths
 * and flags, header names, front-token, exposed headers — at creation, verification, refresh
 * and sign-out.
 */

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';
const HUNDRED_DAYS_MS = 100 * 24 * 60 * 60 * 1000;
const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000;

type Mode = 'cookie' | 'header';

function login(app: INestApplication, mode: Mode | undefined, body: Record<string, unknown> = {}) {
  const req = request(app.getHttpServer()).post('/login');
  if (mode !== undefined) req.set('st-auth-mode', mode);
  return req.send({ userId: 'alice', ...body }).expect(201);
}

/** Epoch ms of a cookie's `Expires` attribute. */
function expiresAt(attributes: Record<string, string | true>): number {
  return new Date(attributes.expires as string).getTime();
}

async function withApp(platform: Platform, options: SessionModuleOptions, run: (app: INestApplication) => Promise<void>): Promise<void> {
  const app = await createTestApp(platform, basicApp(options));
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

describe.each(PLATFORMS)('token transport (%s)', (platform) => {
  describe('with default options', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, basicApp());
    });
    afterAll(() => app.close());

    describe('cookie mode (st-auth-mode: cookie)', () => {
      it('sets sAccessToken on path / and sRefreshToken on /auth/session/refresh, HttpOnly and SameSite=Lax, without Secure or Domain', async () => {
        const before = Date.now();
        const res = await login(app, 'cookie');

        expect(setCookies(res).map((c) => c.name).sort()).toEqual(['sAccessToken', 'sRefreshToken']);
        const access = setCookie(res, 'sAccessToken')!;
        const refresh = setCookie(res, 'sRefreshToken')!;
        expect(access.attributes).toEqual({ path: '/', expires: expect.any(String), httponly: true, samesite: 'Lax' });
        expect(refresh.attributes).toEqual({ path: '/auth/session/refresh', expires: expect.any(String), httponly: true, samesite: 'Lax' });
        // The access cookie outlives the token, so an expired token still reaches the server ("try refresh token").
        expect(expiresAt(access.attributes)).toBeGreaterThan(before + TEN_YEARS_MS);
        // The refresh cookie lives as long as the session (refreshTokenValidity, 100 days by default).
        expect(expiresAt(refresh.attributes)).toBeGreaterThanOrEqual(before + HUNDRED_DAYS_MS - 1000);
        expect(expiresAt(refresh.attributes)).toBeLessThanOrEqual(Date.now() + HUNDRED_DAYS_MS + 1000);

        expect(jwtHeader(access.value)).toEqual({ alg: 'RS256', typ: 'JWT', version: '5', kid: expect.any(String) });
        expect(refresh.value).toMatch(/^\S+$/);
        expect(res.headers['st-access-token']).toBeUndefined();
        expect(res.headers['st-refresh-token']).toBeUndefined();
        expect(res.headers['anti-csrf']).toBeUndefined();
        expect(res.headers['access-control-expose-headers']).toEqual('front-token');
      });

      it('sends a front-token that decodes to {uid, ate, up} with ate the access-token exp in ms and up the full payload', async () => {
        const res = await login(app, 'cookie', { payload: { role: 'admin', plan: { tier: 2 } } });
        const { access, front } = cookieTokens(res);
        const payload = jwtPayload(access!);

        expect(decodeFrontToken(front)).toEqual({ uid: 'alice', ate: payload.exp * 1000, up: payload });
        // Other built-in claims (roles, permissions) may sit beside these; the keys below must be exact.
        expect(payload).toMatchObject({
          sub: 'alice',
          tId: 'public',
          rsub: 'alice',
          exp: lifetimeWithinJitter(3600, payload.iat),
          iss: 'nest-session',
          sessionHandle: res.body.sessionHandle,
          refreshTokenHash1: expect.any(String),
          parentRefreshTokenHash1: null,
          antiCsrfToken: null,
          role: 'admin',
          plan: { tier: 2 },
        });
      });

      it('verifies a request that carries the sAccessToken cookie, without sending new tokens', async () => {
        const login1 = await login(app, 'cookie', { payload: { role: 'admin' } });
        const { access } = cookieTokens(login1);

        const res = await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${access}`).expect(200);

        expect(res.body).toEqual({ userId: 'alice', tenantId: 'public', sessionHandle: login1.body.sessionHandle, payload: jwtPayload(access!) });
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(res.headers['front-token']).toBeUndefined();
      });

      it('refreshes with the sRefreshToken cookie: 200 {} and new cookies with the same names, paths and flags', async () => {
        const first = cookieTokens(await login(app, 'cookie', { payload: { role: 'admin' } }));

        const res = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${first.refresh}`).expect(200);

        expect(res.body).toEqual({});
        expect(setCookies(res).map((c) => c.name).sort()).toEqual(['sAccessToken', 'sRefreshToken']);
        expect(setCookie(res, 'sAccessToken')!.attributes).toEqual({ path: '/', expires: expect.any(String), httponly: true, samesite: 'Lax' });
        expect(setCookie(res, 'sRefreshToken')!.attributes).toEqual({
          path: '/auth/session/refresh',
          expires: expect.any(String),
          httponly: true,
          samesite: 'Lax',
        });
        const next = cookieTokens(res);
        expect(next.access).not.toEqual(first.access);
        expect(next.refresh).not.toEqual(first.refresh);
        const payload = jwtPayload(next.access!);
        expect(payload.role).toEqual('admin');
        expect(decodeFrontToken(next.front)).toEqual({ uid: 'alice', ate: payload.exp * 1000, up: payload });
        expect(res.headers['st-access-token']).toBeUndefined();
        expect(res.headers['st-refresh-token']).toBeUndefined();
        expect(res.headers['access-control-expose-headers']).toEqual('front-token');

        const me = await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${next.access}`).expect(200);
        expect(me.body.userId).toEqual('alice');
      });

      it('signs out: 200 {"status":"OK"}, both cookies cleared on their paths and front-token: remove', async () => {
        const tokens = cookieTokens(await login(app, 'cookie'));

        const res = await request(app.getHttpServer())
          .post('/auth/signout')
          .set('Cookie', `sAccessToken=${tokens.access}; sRefreshToken=${tokens.refresh}`)
          .expect(200);

        expect(res.body).toEqual({ status: 'OK' });
        expect(res.headers['front-token']).toEqual('remove');
        expect(res.headers['access-control-expose-headers']).toEqual('front-token');
        expect(setCookie(res, 'sAccessToken')).toEqual({ name: 'sAccessToken', value: '', attributes: { path: '/', expires: EPOCH, httponly: true, samesite: 'Lax' } });
        expect(setCookie(res, 'sRefreshToken')).toEqual({
          name: 'sRefreshToken',
          value: '',
          attributes: { path: '/auth/session/refresh', expires: EPOCH, httponly: true, samesite: 'Lax' },
        });
        expect(res.headers['st-access-token']).toBeUndefined();

        const refresh = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${tokens.refresh}`).expect(401);
        expect(refresh.body).toEqual({ message: 'unauthorised' });
      });
    });

    describe('header mode', () => {
      it('is the default when the request has no st-auth-mode header: st-access-token, st-refresh-token and front-token headers, no cookies', async () => {
        const res = await login(app, undefined);

        const { access, refresh, front } = headerTokens(res);
        expect(jwtHeader(access)).toEqual({ alg: 'RS256', typ: 'JWT', version: '5', kid: expect.any(String) });
        expect(refresh).toMatch(/^\S+$/);
        expect(front).toEqual(expect.any(String));
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(res.headers['access-control-expose-headers']).toEqual('front-token, st-access-token, st-refresh-token');
      });

      it('is chosen by st-auth-mode: header and sends a front-token of {uid, ate, up}', async () => {
        const res = await login(app, 'header', { userId: 'bob', tenantId: 'acme', payload: { role: 'viewer' } });

        const { access, front } = headerTokens(res);
        const payload = jwtPayload(access);
        expect(payload.sub).toEqual('bob');
        expect(payload.tId).toEqual('acme');
        expect(payload.role).toEqual('viewer');
        expect(decodeFrontToken(front)).toEqual({ uid: 'bob', ate: payload.exp * 1000, up: payload });
        expect(res.headers['set-cookie']).toBeUndefined();
      });

      it('verifies a request with Authorization: Bearer <access token>, without sending new tokens', async () => {
        const login1 = await login(app, 'header', { userId: 'bob', tenantId: 'acme' });
        const { access } = headerTokens(login1);

        const res = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${access}`).expect(200);

        expect(res.body).toEqual({ userId: 'bob', tenantId: 'acme', sessionHandle: login1.body.sessionHandle, payload: jwtPayload(access) });
        expect(res.headers['st-access-token']).toBeUndefined();
        expect(res.headers['front-token']).toBeUndefined();
      });

      it('refreshes with Authorization: Bearer <refresh token>: 200 {} and new tokens in headers, no cookies', async () => {
        const first = headerTokens(await login(app, 'header', { payload: { role: 'admin' } }));

        const res = await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', `Bearer ${first.refresh}`).expect(200);

        expect(res.body).toEqual({});
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(res.headers['access-control-expose-headers']).toEqual('front-token, st-access-token, st-refresh-token');
        const next = headerTokens(res);
        expect(next.access).not.toEqual(first.access);
        expect(next.refresh).not.toEqual(first.refresh);
        const payload = jwtPayload(next.access);
        expect(payload.role).toEqual('admin');
        expect(payload.sessionHandle).toEqual(jwtPayload(first.access).sessionHandle);
        expect(decodeFrontToken(next.front)).toEqual({ uid: 'alice', ate: payload.exp * 1000, up: payload });

        await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${next.access}`).expect(200);
      });

      it('signs out: 200 {"status":"OK"}, empty st-access-token and st-refresh-token headers and front-token: remove', async () => {
        const tokens = headerTokens(await login(app, 'header'));

        const res = await request(app.getHttpServer()).post('/auth/signout').set('Authorization', `Bearer ${tokens.access}`).expect(200);

        expect(res.body).toEqual({ status: 'OK' });
        expect(res.headers['front-token']).toEqual('remove');
        expect(res.headers['st-access-token']).toEqual('');
        expect(res.headers['st-refresh-token']).toEqual('');
        expect(res.headers['access-control-expose-headers']).toEqual('front-token, st-access-token, st-refresh-token');
        expect(res.headers['set-cookie']).toBeUndefined();

        const refresh = await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', `Bearer ${tokens.refresh}`).expect(401);
        expect(refresh.body).toEqual({ message: 'unauthorised' });
      });

      it('answers sign-out without a session with 200 {"status":"OK"} and touches no tokens', async () => {
        const res = await request(app.getHttpServer()).post('/auth/signout').expect(200);

        expect(res.body).toEqual({ status: 'OK' });
        expect(res.headers['front-token']).toBeUndefined();
        expect(res.headers['set-cookie']).toBeUndefined();
      });
    });
  });

  it('adds Secure, Domain and SameSite=Strict to every session cookie when cookieSecure, cookieDomain and cookieSameSite are set', async () => {
    await withApp(platform, { cookieSecure: true, cookieDomain: '.example.com', cookieSameSite: 'strict' }, async (app) => {
      const flags = { httponly: true, secure: true, domain: '.example.com', samesite: 'Strict', expires: expect.any(String) };
      const created = await login(app, 'cookie');
      expect(setCookie(created, 'sAccessToken')!.attributes).toEqual({ path: '/', ...flags });
      expect(setCookie(created, 'sRefreshToken')!.attributes).toEqual({ path: '/auth/session/refresh', ...flags });

      const tokens = cookieTokens(created);
      const refreshed = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${tokens.refresh}`).expect(200);
      expect(setCookie(refreshed, 'sAccessToken')!.attributes).toEqual({ path: '/', ...flags });
      expect(setCookie(refreshed, 'sRefreshToken')!.attributes).toEqual({ path: '/auth/session/refresh', ...flags });

      const next = cookieTokens(refreshed);
      const signedOut = await request(app.getHttpServer()).post('/auth/signout').set('Cookie', `sAccessToken=${next.access}`).expect(200);
      expect(setCookie(signedOut, 'sAccessToken')!.attributes).toEqual({ path: '/', ...flags, expires: EPOCH });
      expect(setCookie(signedOut, 'sRefreshToken')!.attributes).toEqual({ path: '/auth/session/refresh', ...flags, expires: EPOCH });
    });
  });

  it('sets SameSite=None with Secure when cookieSameSite is none', async () => {
    await withApp(platform, { cookieSecure: true, cookieSameSite: 'none' }, async (app) => {
      const created = await login(app, 'cookie');
      const flags = { httponly: true, secure: true, samesite: 'None', expires: expect.any(String) };
      expect(setCookie(created, 'sAccessToken')!.attributes).toEqual({ path: '/', ...flags });
      expect(setCookie(created, 'sRefreshToken')!.attributes).toEqual({ path: '/auth/session/refresh', ...flags });
    });
  });

  it('moves the refresh and sign-out routes and the refresh cookie path under a custom apiBasePath', async () => {
    await withApp(platform, { apiBasePath: '/api/v2/auth' }, async (app) => {
      const created = await login(app, 'cookie');
      expect(setCookie(created, 'sRefreshToken')!.attributes.path).toEqual('/api/v2/auth/session/refresh');
      expect(setCookie(created, 'sAccessToken')!.attributes.path).toEqual('/');
      const tokens = cookieTokens(created);

      await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${tokens.refresh}`).expect(404);
      const refreshed = await request(app.getHttpServer())
        .post('/api/v2/auth/session/refresh')
        .set('Cookie', `sRefreshToken=${tokens.refresh}`)
        .expect(200);
      expect(refreshed.body).toEqual({});
      expect(setCookie(refreshed, 'sRefreshToken')!.attributes.path).toEqual('/api/v2/auth/session/refresh');

      const next = cookieTokens(refreshed);
      await request(app.getHttpServer()).post('/auth/signout').set('Cookie', `sAccessToken=${next.access}`).expect(404);
      const signedOut = await request(app.getHttpServer()).post('/api/v2/auth/signout').set('Cookie', `sAccessToken=${next.access}`).expect(200);
      expect(signedOut.body).toEqual({ status: 'OK' });
      expect(setCookie(signedOut, 'sRefreshToken')).toEqual({
        name: 'sRefreshToken',
        value: '',
        attributes: { path: '/api/v2/auth/session/refresh', expires: EPOCH, httponly: true, samesite: 'Lax' },
      });
    });
  });
});
