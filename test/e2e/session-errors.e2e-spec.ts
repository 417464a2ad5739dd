import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { SessionService, type SessionModuleOptions } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { installClock } from '../support/clock';
import { createTestApp, PLATFORMS, type Platform } from '../support/platforms';
import { cookieTokens, headerTokens } from '../support/tokens';

/**
 * Verification answers as SuperTokens does: 401s for expired, missing and invalid tokens, the
 * anti-CSRF checks of cookie mode, `errorHandlers` replacing answers, and `checkDatabase`
 * refusing a revoked session at once.
 */

function expectTokensKept(res: Response): void {
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(res.headers['front-token']).toBeUndefined();
  expect(res.headers['st-access-token']).toBeUndefined();
}

async function loginCookie(app: INestApplication, userId = 'alice') {
  const res = await request(app.getHttpServer()).post('/login').set('st-auth-mode', 'cookie').send({ userId }).expect(201);
  const t = cookieTokens(res);
  return { access: t.access!, refresh: t.refresh!, antiCsrf: res.headers['anti-csrf'] as string | undefined, res };
}

async function loginHeader(app: INestApplication, userId = 'alice') {
  const res = await request(app.getHttpServer()).post('/login').set('st-auth-mode', 'header').send({ userId }).expect(201);
  return { ...headerTokens(res), handle: res.body.sessionHandle as string, res };
}

async function startApp(platform: Platform, options: SessionModuleOptions = {}) {
  return createTestApp(platform, basicApp(options));
}

describe.each(PLATFORMS)('session errors (%s)', (platform) => {
  afterEach(() => jest.restoreAllMocks());

  describe('verification answers', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startApp(platform, { accessTokenValidity: 60 });
    });
    afterAll(() => app.close());

    it('answers an expired access token in header mode with 401 try refresh token and keeps the tokens', async () => {
      const { access } = await loginHeader(app);
      await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${access}`).expect(200);
      installClock().advance(61);

      const res = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${access}`).expect(401);

      expect(res.body).toEqual({ message: 'try refresh token' });
      expectTokensKept(res);
    });

    it('answers an expired sAccessToken cookie with 401 try refresh token, and the refresh cookie still works', async () => {
      const { access, refresh } = await loginCookie(app);
      installClock().advance(61);

      const res = await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${access}`).expect(401);

      expect(res.body).toEqual({ message: 'try refresh token' });
      expectTokensKept(res);
      const refreshed = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${refresh}`).expect(200);
      await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${cookieTokens(refreshed).access}`).expect(200);
    });

    it('answers an expired token with 401 try refresh token even when sessionRequired is false', async () => {
      const { access } = await loginHeader(app);
      installClock().advance(61);

      const res = await request(app.getHttpServer()).get('/optional').set('Authorization', `Bearer ${access}`).expect(401);

      expect(res.body).toEqual({ message: 'try refresh token' });
      expectTokensKept(res);
    });

    it('answers an invalid token with 401 try refresh token even when sessionRequired is false', async () => {
      const { access } = await loginHeader(app);
      const [h, p, s] = access.split('.');
      const tampered = `${h}.${p}.${(s[0] === 'A' ? 'B' : 'A') + s.slice(1)}`;

      const garbage = await request(app.getHttpServer()).get('/optional').set('Authorization', 'Bearer not-a-jwt').expect(401);
      const badSignature = await request(app.getHttpServer()).get('/optional').set('Authorization', `Bearer ${tampered}`).expect(401);
      const onMe = await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${tampered}`).expect(401);

      expect(garbage.body).toEqual({ message: 'try refresh token' });
      expect(badSignature.body).toEqual({ message: 'try refresh token' });
      expect(onMe.body).toEqual({ message: 'try refresh token' });
    });

    it('answers sign-out with an expired access token with 401 try refresh token, so the client refreshes and retries', async () => {
      const { access, refresh } = await loginCookie(app);
      installClock().advance(61);

      const res = await request(app.getHttpServer()).post('/auth/signout').set('Cookie', `sAccessToken=${access}`).expect(401);

      expect(res.body).toEqual({ message: 'try refresh token' });
      expectTokensKept(res);
      const refreshed = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${refresh}`).expect(200);
      const signedOut = await request(app.getHttpServer())
        .post('/auth/signout')
        .set('Cookie', `sAccessToken=${cookieTokens(refreshed).access}`)
        .expect(200);
      expect(signedOut.body).toEqual({ status: 'OK' });
    });

    it('lets a request without a token through a sessionRequired: false route', async () => {
      const res = await request(app.getHttpServer()).get('/optional').expect(200);

      expect(res.body).toEqual({ userId: null });
    });

    it('answers a request without any token with 401 unauthorised and no Set-Cookie or front-token', async () => {
      for (const res of [
        await request(app.getHttpServer()).get('/me').expect(401),
        await request(app.getHttpServer()).post('/me').expect(401),
        await request(app.getHttpServer()).get('/strict').expect(401),
      ]) {
        expect(res.body).toEqual({ message: 'unauthorised' });
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expectTokensKept(res);
      }
    });
  });

  describe("antiCsrf: 'VIA_TOKEN'", () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startApp(platform, { antiCsrf: 'VIA_TOKEN' });
    });
    afterAll(() => app.close());

    it('sends an anti-csrf header, exposed, when a cookie session is created', async () => {
      const { antiCsrf, res } = await loginCookie(app);

      expect(antiCsrf).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(res.headers['access-control-expose-headers']).toEqual('front-token, anti-csrf');
    });

    it('refuses a cookie-mode POST without the anti-csrf header, or with a wrong one, with 401 try refresh token', async () => {
      const { access } = await loginCookie(app);

      const missing = await request(app.getHttpServer()).post('/me').set('Cookie', `sAccessToken=${access}`).expect(401);
      const wrong = await request(app.getHttpServer()).post('/me').set('Cookie', `sAccessToken=${access}`).set('anti-csrf', 'forged-value').expect(401);

      expect(missing.body).toEqual({ message: 'try refresh token' });
      expect(wrong.body).toEqual({ message: 'try refresh token' });
      expectTokensKept(missing);
    });

    it('accepts a cookie-mode POST with the anti-csrf value from the sign-in response', async () => {
      const { access, antiCsrf } = await loginCookie(app);

      const res = await request(app.getHttpServer()).post('/me').set('Cookie', `sAccessToken=${access}`).set('anti-csrf', antiCsrf!).expect(201);

      expect(res.body).toEqual({ userId: 'alice' });
    });

    it('does not require the anti-csrf header on a cookie-mode GET', async () => {
      const { access } = await loginCookie(app);

      const res = await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${access}`).expect(200);

      expect(res.body.userId).toEqual('alice');
    });

    it('never sends nor requires an anti-csrf token in header mode', async () => {
      const { access, res: login } = await loginHeader(app);
      expect(login.headers['anti-csrf']).toBeUndefined();

      const res = await request(app.getHttpServer()).post('/me').set('Authorization', `Bearer ${access}`).expect(201);

      expect(res.body).toEqual({ userId: 'alice' });
    });

    it('requires the anti-csrf header to refresh in cookie mode, and sends it again with the new tokens', async () => {
      const { refresh, antiCsrf } = await loginCookie(app);

      const refused = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${refresh}`).expect(401);
      expect(refused.body).toEqual({ message: 'unauthorised' });

      const res = await request(app.getHttpServer())
        .post('/auth/session/refresh')
        .set('Cookie', `sRefreshToken=${refresh}`)
        .set('anti-csrf', antiCsrf!)
        .expect(200);
      expect(res.body).toEqual({});
      expect(res.headers['anti-csrf']).toEqual(antiCsrf);
      const next = cookieTokens(res);
      await request(app.getHttpServer()).post('/me').set('Cookie', `sAccessToken=${next.access}`).set('anti-csrf', antiCsrf!).expect(201);
    });

    it('refreshes in header mode without an anti-csrf header', async () => {
      const { refresh } = await loginHeader(app);

      const res = await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', `Bearer ${refresh}`).expect(200);

      expect(res.body).toEqual({});
      expect(res.headers['anti-csrf']).toBeUndefined();
    });
  });

  describe("antiCsrf: 'VIA_CUSTOM_HEADER'", () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startApp(platform, { antiCsrf: 'VIA_CUSTOM_HEADER' });
    });
    afterAll(() => app.close());

    it('refuses a cookie-mode POST without the rid header with 401 unauthorised and keeps the tokens', async () => {
      const { access, res: login } = await loginCookie(app);
      expect(login.headers['anti-csrf']).toBeUndefined();

      const res = await request(app.getHttpServer()).post('/me').set('Cookie', `sAccessToken=${access}`).expect(401);

      expect(res.body).toEqual({ message: 'unauthorised' });
      expectTokensKept(res);
    });

    it('accepts a cookie-mode POST with a rid header, and a GET without one', async () => {
      const { access } = await loginCookie(app);

      const post = await request(app.getHttpServer()).post('/me').set('Cookie', `sAccessToken=${access}`).set('rid', 'session').expect(201);
      const get = await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${access}`).expect(200);

      expect(post.body).toEqual({ userId: 'alice' });
      expect(get.body.userId).toEqual('alice');
    });

    it('never requires the rid header in header mode', async () => {
      const { access, refresh } = await loginHeader(app);

      const post = await request(app.getHttpServer()).post('/me').set('Authorization', `Bearer ${access}`).expect(201);
      const refreshed = await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', `Bearer ${refresh}`).expect(200);

      expect(post.body).toEqual({ userId: 'alice' });
      expect(refreshed.body).toEqual({});
    });

    it('requires the rid header to refresh in cookie mode', async () => {
      const { refresh } = await loginCookie(app);

      const refused = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${refresh}`).expect(401);
      const res = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${refresh}`).set('rid', 'session').expect(200);

      expect(refused.body).toEqual({ message: 'unauthorised' });
      expect(res.body).toEqual({});
    });
  });

  describe('errorHandlers', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startApp(platform, {
        accessTokenValidity: 60,
        errorHandlers: {
          onUnauthorised: ({ message }) => ({ statusCode: 401, body: { custom: true, reason: message } }),
          onTryRefreshToken: () => ({ statusCode: 419, body: { refresh: 'please' } }),
          onTokenTheftDetected: ({ sessionHandle, userId }) => ({ statusCode: 409, body: { theft: { sessionHandle, userId } } }),
        },
      });
    });
    afterAll(() => app.close());

    it('replaces the unauthorised body', async () => {
      const res = await request(app.getHttpServer()).get('/me').expect(401);

      expect(res.body).toEqual({ custom: true, reason: 'session does not exist' });
      expectTokensKept(res);
    });

    it('replaces the status and body of try refresh token', async () => {
      const { access } = await loginHeader(app);
      installClock().advance(61);

      const res = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${access}`).expect(419);

      expect(res.body).toEqual({ refresh: 'please' });
    });

    it('replaces the status and body of token theft, and still revokes the session and clears the tokens', async () => {
      const t0 = await loginHeader(app, 'carol');
      const t1 = headerTokens(await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', `Bearer ${t0.refresh}`).expect(200));
      await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', `Bearer ${t1.refresh}`).expect(200);

      const res = await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', `Bearer ${t0.refresh}`).expect(409);

      expect(res.body).toEqual({ theft: { sessionHandle: t0.handle, userId: 'carol' } });
      expect(res.headers['front-token']).toEqual('remove');
      expect(await app.get(SessionService).getSessionInformation(t0.handle)).toBeUndefined();
    });
  });

  describe('checkDatabase', () => {
    let app: INestApplication;
    let sessions: SessionService;
    beforeAll(async () => {
      app = await startApp(platform);
      sessions = app.get(SessionService);
    });
    afterAll(() => app.close());

    it('rejects a session revoked through POST /revoke at once, while a stateless route accepts the token until exp', async () => {
      const { access } = await loginHeader(app);
      expect((await request(app.getHttpServer()).get('/strict').set('Authorization', `Bearer ${access}`).expect(200)).body).toEqual({ userId: 'alice' });

      const revoked = await request(app.getHttpServer()).post('/revoke').set('Authorization', `Bearer ${access}`).expect(201);
      expect(revoked.body).toEqual({ revoked: true });
      expect(revoked.headers['front-token']).toEqual('remove');

      const strict = await request(app.getHttpServer()).get('/strict').set('Authorization', `Bearer ${access}`).expect(401);
      expect(strict.body).toEqual({ message: 'unauthorised' });
      expect(strict.headers['front-token']).toEqual('remove');
      const me = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${access}`).expect(200);
      expect(me.body.userId).toEqual('alice');
    });

    it('rejects a session revoked with SessionService.revokeSession(handle) at once', async () => {
      const { access, handle } = await loginHeader(app, 'dave');
      await request(app.getHttpServer()).get('/strict').set('Authorization', `Bearer ${access}`).expect(200);

      expect(await sessions.revokeSession(handle)).toEqual(true);

      const strict = await request(app.getHttpServer()).get('/strict').set('Authorization', `Bearer ${access}`).expect(401);
      expect(strict.body).toEqual({ message: 'unauthorised' });
      await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${access}`).expect(200);
    });

    it('rejects a revoked cookie session on the checkDatabase route and clears its cookies', async () => {
      const { access, res: login } = await loginCookie(app, 'erin');
      await sessions.revokeSession(login.body.sessionHandle);

      const strict = await request(app.getHttpServer()).get('/strict').set('Cookie', `sAccessToken=${access}`).expect(401);

      expect(strict.body).toEqual({ message: 'unauthorised' });
      expect(cookieTokens(strict)).toEqual({ access: '', refresh: '', front: 'remove' });
    });
  });
});
