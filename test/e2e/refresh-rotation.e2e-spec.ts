import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SessionService, type SessionModuleOptions } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { installClock } from '../support/clock';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient, TRANSFER_MODES } from '../support/session-client';
import { jwtPayload, setCookies } from '../support/tokens';

/**
 * Every refresh rotates the refresh token; a superseded token within the grace
 * window gets the same outcome (concurrent tabs, lost responses); anything older is theft and
 * revokes the session; a forged token is refused without harming the session.
 */

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

  describe.each(TRANSFER_MODES)('in %s mode', (mode) => {
    it('rotates: the new refresh token differs, and the old access token keeps working until its exp', async () => {
      const c = new SessionClient(app, mode);
      const first = await c.login({ userId: 'alice' });
      const clock = installClock();

      const res = await c.refreshSession(first.refresh).expect(200);

      expect(res.body).toEqual({});
      const second = c.tokensOf(res);
      expect(second.refresh).not.toEqual(first.refresh);
      expect(second.access).not.toEqual(first.access);
      expect(jwtPayload(second.access!).sessionHandle).toEqual(first.handle);
      expect((await c.get('/me', first.access).expect(200)).body.userId).toEqual('alice');
      expect((await c.get('/me', second.access).expect(200)).body.userId).toEqual('alice');

      const exp = jwtPayload(first.access).exp * 1000;
      clock.advance((exp - Date.now()) / 1000 - 1);
      await c.get('/me', first.access).expect(200);
      clock.advance(2);
      const expired = await c.get('/me', first.access).expect(401);
      expect(expired.body).toEqual({ message: 'try refresh token' });
    });

    it('gives two concurrent refreshes with the same token both a 200 and the same new refresh token', async () => {
      const c = new SessionClient(app, mode);
      const first = await c.login({ userId: 'alice' });

      const [a, b] = await Promise.all([c.refreshSession(first.refresh), c.refreshSession(first.refresh)]);

      expect([a.status, b.status]).toEqual([200, 200]);
      const ta = c.tokensOf(a);
      const tb = c.tokensOf(b);
      expect(ta.refresh).not.toEqual(first.refresh);
      expect(tb.refresh).toEqual(ta.refresh);
      await c.get('/me', ta.access).expect(200);
      await c.get('/me', tb.access).expect(200);
      // The shared child is the session's current token: it rotates normally.
      const next = await c.refreshSession(ta.refresh).expect(200);
      expect(c.tokensOf(next).refresh).not.toEqual(ta.refresh);
    });

    it('answers a superseded token presented again within the grace window with the same new refresh token', async () => {
      const c = new SessionClient(app, mode);
      const first = await c.login({ userId: 'alice' });
      const clock = installClock();
      const rotated = c.tokensOf(await c.refreshSession(first.refresh).expect(200));

      clock.advance(29);
      const retried = await c.refreshSession(first.refresh).expect(200);

      expect(retried.body).toEqual({});
      expect(c.tokensOf(retried).refresh).toEqual(rotated.refresh);
      expect(await sessions.getSessionInformation(first.handle)).toEqual(expect.objectContaining({ sessionHandle: first.handle, userId: 'alice' }));
      await c.refreshSession(rotated.refresh).expect(200);
    });

    it('treats reuse of the grandparent token as theft: 401 token theft detected, tokens cleared, session revoked, newest token refused', async () => {
      const c = new SessionClient(app, mode);
      const t0 = await c.login({ userId: 'alice' });
      const t1 = c.tokensOf(await c.refreshSession(t0.refresh).expect(200));
      const t2 = c.tokensOf(await c.refreshSession(t1.refresh).expect(200));

      const theft = await c.refreshSession(t0.refresh).expect(401);

      expect(theft.body).toEqual({ message: 'token theft detected' });
      c.expectTokensCleared(theft);
      expect(await sessions.getSessionInformation(t0.handle)).toBeUndefined();
      const newest = await c.refreshSession(t2.refresh).expect(401);
      expect(newest.body).toEqual({ message: 'unauthorised' });
      const parent = await c.refreshSession(t1.refresh).expect(401);
      expect(parent.body).toEqual({ message: 'unauthorised' });
    });

    it('treats the parent token presented after the 30 s default grace window as theft', async () => {
      const c = new SessionClient(app, mode);
      const t0 = await c.login({ userId: 'alice' });
      const clock = installClock();
      const t1 = c.tokensOf(await c.refreshSession(t0.refresh).expect(200));

      clock.advance(31);
      const theft = await c.refreshSession(t0.refresh).expect(401);

      expect(theft.body).toEqual({ message: 'token theft detected' });
      c.expectTokensCleared(theft);
      expect(await sessions.getSessionInformation(t0.handle)).toBeUndefined();
      expect((await c.refreshSession(t1.refresh).expect(401)).body).toEqual({ message: 'unauthorised' });
    });
  });

  it('refuses a forged refresh token for a real session handle (right format, wrong secret) with 401 unauthorised and keeps the session', async () => {
    const c = new SessionClient(app, 'header');
    const t0 = await c.login({ userId: 'alice' });
    const parts = t0.refresh.split('.');
    const secret = parts[parts.length - 1];
    const forgedSecret = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    const forged = [...parts.slice(0, -1), forgedSecret].join('.');
    expect(forged).not.toEqual(t0.refresh);
    expect(forged.length).toEqual(t0.refresh.length);

    const res = await c.refreshSession(forged).expect(401);

    expect(res.body).toEqual({ message: 'unauthorised' });
    expect(await sessions.getSessionInformation(t0.handle)).toEqual(expect.objectContaining({ sessionHandle: t0.handle }));
    await c.get('/me', t0.access).expect(200);
    await c.refreshSession(t0.refresh).expect(200);
  });

  it('does not mistake a forged copy of an old token (superseded generation, wrong secret) for theft', async () => {
    const c = new SessionClient(app, 'header');
    const t0 = await c.login({ userId: 'alice' });
    const t1 = c.tokensOf(await c.refreshSession(t0.refresh).expect(200));
    await c.refreshSession(t1.refresh).expect(200);
    const parts = t0.refresh.split('.');
    const secret = parts[parts.length - 1];
    const forged = [...parts.slice(0, -1), (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1)].join('.');

    const res = await c.refreshSession(forged).expect(401);

    expect(res.body).toEqual({ message: 'unauthorised' });
    expect(await sessions.getSessionInformation(t0.handle)).toEqual(expect.objectContaining({ sessionHandle: t0.handle }));
  });

  it('refuses a refresh token of a revoked session with 401 unauthorised', async () => {
    const c = new SessionClient(app, 'header');
    const t0 = await c.login({ userId: 'alice' });
    await sessions.revokeSession(t0.handle);

    const res = await c.refreshSession(t0.refresh).expect(401);

    expect(res.body).toEqual({ message: 'unauthorised' });
    c.expectTokensCleared(res);
  });

  it('answers a refresh without any refresh token with 401 unauthorised and clears every token (as supertokens-node; details in protocol-fidelity)', async () => {
    const res = await request(app.getHttpServer()).post('/auth/session/refresh').expect(401);

    expect(res.body).toEqual({ message: 'unauthorised' });
    expect(setCookies(res).map((cookie) => [cookie.name, cookie.value])).toEqual([
      ['sAccessToken', ''],
      ['sRefreshToken', ''],
    ]);
    expect(res.headers['front-token']).toBe('remove');
  });

  describe('with refreshGracePeriod: 1', () => {
    let short: INestApplication;
    let shortSessions: SessionService;
    beforeAll(async () => {
      ({ app: short, sessions: shortSessions } = await startApp(platform, { refreshGracePeriod: 1 }));
    });
    afterAll(() => short.close());

    it('accepts the parent token again within 1 s and treats it as theft after 1 s', async () => {
      const c = new SessionClient(short, 'header');
      const t0 = await c.login({ userId: 'alice' });
      const clock = installClock();
      const t1 = c.tokensOf(await c.refreshSession(t0.refresh).expect(200));

      clock.advance(0.5);
      const retried = await c.refreshSession(t0.refresh).expect(200);
      expect(c.tokensOf(retried).refresh).toEqual(t1.refresh);

      clock.advance(1);
      const theft = await c.refreshSession(t0.refresh).expect(401);
      expect(theft.body).toEqual({ message: 'token theft detected' });
      expect(await shortSessions.getSessionInformation(t0.handle)).toBeUndefined();
      expect((await c.refreshSession(t1.refresh).expect(401)).body).toEqual({ message: 'unauthorised' });
    });
  });
});
