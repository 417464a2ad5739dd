import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SessionService } from '../../src';
import { createTestSession, SessionTestingModule, TestClock, type TestSession } from '../../src/testing';
import { PlanClaim, planSource, SecondFactorClaim, TestingKitController } from '../fixtures/testing-kit.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { cookieTokens, headerTokens } from '../support/tokens';

/**
 * Rule: the testing kit (`nest-session/testing`) gives an app's own tests sessions without a
 * sign-in route — with the claims they need, sent in either transfer method — and a clock that
 * expires access tokens, claims and refresh tokens without waiting, so cleanup can be tested too.
 */

type Mode = 'header' | 'cookie';
const MODES: Mode[] = ['header', 'cookie'];
const send = (s: TestSession, mode: Mode) => (mode === 'header' ? s.headers : s.cookieHeaders);
const refreshWith = (s: TestSession, mode: Mode) => (mode === 'header' ? s.refresh.headers : s.refresh.cookieHeaders);
const newAccess = (res: request.Response, mode: Mode) => (mode === 'header' ? headerTokens(res).access : cookieTokens(res).access);

describe.each(PLATFORMS)('testing kit (%s)', (platform) => {
  let app: INestApplication;
  let clock: TestClock;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    clock = new TestClock();
    app = await createTestApp(platform, {
      imports: [SessionTestingModule.forRoot({ clock, accessTokenValidity: 600, refreshTokenValidity: 3600, antiCsrf: 'VIA_TOKEN' })],
      controllers: [TestingKitController],
    });
  });
  afterAll(() => app.close());

  it('the module uses the given clock and makes it injectable', () => {
    expect(app.get(TestClock)).toBe(clock);
  });

  describe.each(MODES)('%s mode', (mode) => {
    it('createTestSession: a guarded route accepts the session with its payload', async () => {
      const s = await createTestSession(app, { userId: `user-${mode}`, payload: { team: 'blue' } });
      const res = await http().get('/me').set(send(s, mode)).expect(200);
      expect(res.body).toEqual({ userId: `user-${mode}`, tenantId: 'public', team: 'blue' });
      expect(await app.get(SessionService).getAllSessionHandlesForUser(`user-${mode}`)).toEqual([s.sessionHandle]);
    });

    it('claims given to createTestSession pass the route’s validators; without them the route answers 403', async () => {
      const done = await createTestSession(app, { userId: 'two-factor', claims: [[SecondFactorClaim, true]] });
      await http().get('/secure').set(send(done, mode)).expect(200, { userId: 'two-factor', secure: true });
      const pending = await createTestSession(app, { userId: 'two-factor' });
      const res = await http().get('/secure').set(send(pending, mode)).expect(403);
      expect(res.body).toEqual({ message: 'invalid claim', claimValidationErrors: [{ id: '2fa', reason: { message: 'wrong value', expectedValue: true, actualValue: false } }] });
    });

    it('TestClock: past the access-token validity the route says "try refresh token"; the refresh headers/cookies refresh it', async () => {
      const s = await createTestSession(app, { userId: `expiring-${mode}` });
      await http().get('/me').set(send(s, mode)).expect(200);
      clock.advance(601);
      await http().get('/me').set(send(s, mode)).expect(401, { message: 'try refresh token' });

      const refreshed = await http().post('/auth/session/refresh').set(refreshWith(s, mode)).expect(200);
      const access = newAccess(refreshed, mode)!;
      expect(access).toBeTruthy();
      const again = mode === 'header' ? { Authorization: `Bearer ${access}` } : { ...s.cookieHeaders, Cookie: `sAccessToken=${access}` };
      await http().get('/me').set(again).expect(200);
    });

    it('TestClock: a claim older than its max age is refetched (here: the plan was downgraded)', async () => {
      const userId = `plan-${mode}`;
      planSource.set(userId, 'pro');
      const s = await createTestSession(app, { userId, claims: [[PlanClaim, 'pro']] });
      await http().get('/pro').set(send(s, mode)).expect(200);
      planSource.set(userId, 'free');
      clock.advance(30);
      await http().get('/pro').set(send(s, mode)).expect(200); // 30 s old: not refetched yet
      clock.advance(31);
      const res = await http().get('/pro').set(send(s, mode)).expect(403);
      expect(res.body.claimValidationErrors).toEqual([{ id: 'plan', reason: { message: 'wrong value', expectedValue: 'pro', actualValue: 'free' } }]);
    });

    it('TestClock: past the refresh-token validity the session is gone, and cleanup deletes it', async () => {
      const sessions = app.get(SessionService);
      const s = await createTestSession(app, { userId: `old-${mode}` });
      clock.advance(3601);
      await http().post('/auth/session/refresh').set(refreshWith(s, mode)).expect(401);
      expect(await sessions.getSessionInformation(s.sessionHandle)).toBeUndefined();
      const swept = await sessions.cleanup();
      expect(swept.sessions).toBeGreaterThanOrEqual(1);
      expect(await sessions.getAllSessionHandlesForUser(`old-${mode}`)).toEqual([]);
    });
  });

  it('cookie mode under VIA_TOKEN: cookieHeaders carry the anti-csrf token an unsafe request needs', async () => {
    const s = await createTestSession(app, { userId: 'csrf-user' });
    expect(s.antiCsrfToken).toEqual(expect.any(String));
    await http().post('/me').set(s.cookieHeaders).expect(201, { userId: 'csrf-user' });
    await http().post('/me').set('Cookie', s.cookies[0]).expect(401);
    // Header mode needs no anti-CSRF token.
    await http().post('/me').set(s.headers).expect(201);
  });
});
