import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { SessionService, type SessionModuleOptions } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { installClock } from '../support/clock';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { cookieTokens, headerTokens, jwtPayload, setCookie } from '../support/tokens';

/**
 * Issue 3, item 4: every refresh rotates the refresh token; a superseded token within the grace
 * window gets the same outcome (concurrent tabs, lost responses); anything older is theft and
 * revokes the session; a forged token is refused without harming the session.
 */

type Mode = 'cookie' | 'header';
const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

/** A client that holds one session's tokens in one transfer method. */
function client(app: INestApplication, mode: Mode) {
  const server = () => app.getHttpServer();
  const tokensOf = (res: Response) => {
    const t = mode === 'cookie' ? cookieTokens(res) : headerTokens(res);
    return { access: t.access!, refresh: t.refresh! };
  };
  return {
    async login(userId = 'alice') {
      const res = await request(server()).post('/login').set('st-auth-mode', mode).send({ userId }).expect(201);
      return { handle: res.body.sessionHandle as string, ...tokensOf(res) };
    },
    refresh(refreshToken: string) {
      const req = request(server()).post('/auth/session/refresh');
      return mode === 'cookie' ? req.set('Cookie', `sRefreshToken=${refreshToken}`) : req.set('Authorization', `Bearer ${refreshToken}`);
    },
    me(accessToken: string) {
      const req = request(server()).get('/me');
      return mode === 'cookie' ? req.set('Cookie', `sAccessToken=${accessToken}`) : req.set('Authorization', `Bearer ${accessToken}`);
    },
    tokensOf,
    /** Asserts the response told the client to drop its tokens. */
    expectTokensCleared(res: Response) {
      expect(res.headers['front-token']).toEqual('remove');
      if (mode === 'cookie') {
        expect(setCookie(res, 'sAccessToken')).toEqual({ name: 'sAccessToken', value: '', attributes: expect.objectContaining({ path: '/', expires: EPOCH }) });
        expect(setCookie(res, 'sRefreshToken')).toEqual({
          name: 'sRefreshToken',
          value: '',
          attributes: expect.objectContaining({ path: '/auth/session/refresh', expires: EPOCH }),
        });
      } else {
        expect(res.headers['st-access-token']).toEqual('');
        expect(res.headers['st-refresh-token']).toEqual('');
      }
    },
  };
}

async function startApp(platform: (typeof PLATFORMS)[number], options: SessionModuleOptions = {}) {
  const app = await createTestApp(platform, basicApp(options));
  return { app, sessions: app.get(SessionService) };
}

describe.each(PLATFORMS)('refresh-token rotation (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    ({ app, sessions } = await startApp(platform));
  });
  afterAll(() => app.close());
  afterEach(() => jest.restoreAllMocks());

  describe.each<Mode>(['header', 'cookie'])('in %s mode', (mode) => {
    it('rotates: the new refresh token differs, and the old access token keeps working until its exp', async () => {
      const c = client(app, mode);
      const first = await c.login();
      const clock = installClock();

      const res = await c.refresh(first.refresh).expect(200);

      expect(res.body).toEqual({});
      const second = c.tokensOf(res);
      expect(second.refresh).not.toEqual(first.refresh);
      expect(second.access).not.toEqual(first.access);
      expect(jwtPayload(second.access).sessionHandle).toEqual(first.handle);
      expect((await c.me(first.access).expect(200)).body.userId).toEqual('alice');
      expect((await c.me(second.access).expect(200)).body.userId).toEqual('alice');

      const exp = jwtPayload(first.access).exp * 1000;
      clock.advance((exp - Date.now()) / 1000 - 1);
      await c.me(first.access).expect(200);
      clock.advance(2);
      const expired = await c.me(first.access).expect(401);
      expect(expired.body).toEqual({ message: 'try refresh token' });
    });

    it('gives two concurrent refreshes with the same token both a 200 and the same new refresh token', async () => {
      const c = client(app, mode);
      const first = await c.login();

      const [a, b] = await Promise.all([c.refresh(first.refresh), c.refresh(first.refresh)]);

      expect([a.status, b.status]).toEqual([200, 200]);
      const ta = c.tokensOf(a);
      const tb = c.tokensOf(b);
      expect(ta.refresh).not.toEqual(first.refresh);
      expect(tb.refresh).toEqual(ta.refresh);
      await c.me(ta.access).expect(200);
      await c.me(tb.access).expect(200);
      // The shared child is the session's current token: it rotates normally.
      const next = await c.refresh(ta.refresh).expect(200);
      expect(c.tokensOf(next).refresh).not.toEqual(ta.refresh);
    });

    it('answers a superseded token presented again within the grace window with the same new refresh token', async () => {
      const c = client(app, mode);
      const first = await c.login();
      const clock = installClock();
      const rotated = c.tokensOf(await c.refresh(first.refresh).expect(200));

      clock.advance(29);
      const retried = await c.refresh(first.refresh).expect(200);

      expect(retried.body).toEqual({});
      expect(c.tokensOf(retried).refresh).toEqual(rotated.refresh);
      expect(await sessions.getSessionInformation(first.handle)).toEqual(expect.objectContaining({ sessionHandle: first.handle, userId: 'alice' }));
      await c.refresh(rotated.refresh).expect(200);
    });

    it('treats reuse of the grandparent token as theft: 401 token theft detected, tokens cleared, session revoked, newest token refused', async () => {
      const c = client(app, mode);
      const t0 = await c.login();
      const t1 = c.tokensOf(await c.refresh(t0.refresh).expect(200));
      const t2 = c.tokensOf(await c.refresh(t1.refresh).expect(200));

      const theft = await c.refresh(t0.refresh).expect(401);

      expect(theft.body).toEqual({ message: 'token theft detected' });
      c.expectTokensCleared(theft);
      expect(await sessions.getSessionInformation(t0.handle)).toBeUndefined();
      const newest = await c.refresh(t2.refresh).expect(401);
      expect(newest.body).toEqual({ message: 'unauthorised' });
      const parent = await c.refresh(t1.refresh).expect(401);
      expect(parent.body).toEqual({ message: 'unauthorised' });
    });

    it('treats the parent token presented after the 30 s default grace window as theft', async () => {
      const c = client(app, mode);
      const t0 = await c.login();
      const clock = installClock();
      const t1 = c.tokensOf(await c.refresh(t0.refresh).expect(200));

      clock.advance(31);
      const theft = await c.refresh(t0.refresh).expect(401);

      expect(theft.body).toEqual({ message: 'token theft detected' });
      c.expectTokensCleared(theft);
      expect(await sessions.getSessionInformation(t0.handle)).toBeUndefined();
      expect((await c.refresh(t1.refresh).expect(401)).body).toEqual({ message: 'unauthorised' });
    });
  });

  it('refuses a forged refresh token for a real session handle (right format, wrong secret) with 401 unauthorised and keeps the session', async () => {
    const c = client(app, 'header');
    const t0 = await c.login();
    const parts = t0.refresh.split('.');
    const secret = parts[parts.length - 1];
    const forgedSecret = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    const forged = [...parts.slice(0, -1), forgedSecret].join('.');
    expect(forged).not.toEqual(t0.refresh);
    expect(forged.length).toEqual(t0.refresh.length);

    const res = await c.refresh(forged).expect(401);

    expect(res.body).toEqual({ message: 'unauthorised' });
    expect(await sessions.getSessionInformation(t0.handle)).toEqual(expect.objectContaining({ sessionHandle: t0.handle }));
    await c.me(t0.access).expect(200);
    await c.refresh(t0.refresh).expect(200);
  });

  it('does not mistake a forged copy of an old token (superseded generation, wrong secret) for theft', async () => {
    const c = client(app, 'header');
    const t0 = await c.login();
    const t1 = c.tokensOf(await c.refresh(t0.refresh).expect(200));
    await c.refresh(t1.refresh).expect(200);
    const parts = t0.refresh.split('.');
    const secret = parts[parts.length - 1];
    const forged = [...parts.slice(0, -1), (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1)].join('.');

    const res = await c.refresh(forged).expect(401);

    expect(res.body).toEqual({ message: 'unauthorised' });
    expect(await sessions.getSessionInformation(t0.handle)).toEqual(expect.objectContaining({ sessionHandle: t0.handle }));
  });

  it('refuses a refresh token of a revoked session with 401 unauthorised', async () => {
    const c = client(app, 'header');
    const t0 = await c.login();
    await sessions.revokeSession(t0.handle);

    const res = await c.refresh(t0.refresh).expect(401);

    expect(res.body).toEqual({ message: 'unauthorised' });
    c.expectTokensCleared(res);
  });

  it('answers a refresh without any refresh token with 401 unauthorised and no Set-Cookie', async () => {
    const res = await request(app.getHttpServer()).post('/auth/session/refresh').expect(401);

    expect(res.body).toEqual({ message: 'unauthorised' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['front-token']).toBeUndefined();
  });

  describe('with refreshGracePeriod: 1', () => {
    let short: INestApplication;
    let shortSessions: SessionService;
    beforeAll(async () => {
      ({ app: short, sessions: shortSessions } = await startApp(platform, { refreshGracePeriod: 1 }));
    });
    afterAll(() => short.close());

    it('accepts the parent token again within 1 s and treats it as theft after 1 s', async () => {
      const c = client(short, 'header');
      const t0 = await c.login();
      const clock = installClock();
      const t1 = c.tokensOf(await c.refresh(t0.refresh).expect(200));

      clock.advance(0.5);
      const retried = await c.refresh(t0.refresh).expect(200);
      expect(c.tokensOf(retried).refresh).toEqual(t1.refresh);

      clock.advance(1);
      const theft = await c.refresh(t0.refresh).expect(401);
      expect(theft.body).toEqual({ message: 'token theft detected' });
      expect(await shortSessions.getSessionInformation(t0.handle)).toBeUndefined();
      expect((await c.refresh(t1.refresh).expect(401)).body).toEqual({ message: 'unauthorised' });
    });
  });
});
