import type { INestApplication } from '@nestjs/common';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { type SessionContainer, SessionError, SessionService } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { decodeFrontToken, jwtPayload, lifetimeWithinJitter } from '../support/tokens';

/**
 * Sessions work without a request: created, verified, refreshed, read and revoked by handle, with
 * SuperTokens' answers for unknown or expired handles and the module's errors for gone sessions.
 */

const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');
const bearer = (token: string) => `Bearer ${token}`;
const UNKNOWN_HANDLE = '0b9f4c1e-3d2a-4e5f-9a8b-7c6d5e4f3a2b';

/** Session lifetime of the suite (s): short, so expiry is reachable with a fake clock. */
const REFRESH_VALIDITY = 600;

/** A controllable clock behind `Date.now` (the module's only time source). */
function fakeClock() {
  let now = Date.now();
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  return {
    get now() {
      return now;
    },
    advance(seconds: number) {
      now += seconds * 1000;
    },
    set(ms: number) {
      now = ms;
    },
  };
}

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<SessionError> {
  try {
    await promise;
  } catch (error) {
    return error as SessionError;
  }
  throw new Error('expected a rejection');
}

/** Payload keys of later features' built-in claims (`st-role`, `st-perm`, ...) are ignored in exact comparisons. */
function customClaims(payload: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !key.startsWith('st-')));
}

describe.each(PLATFORMS)('offline session functions by handle (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    app = await createTestApp(platform, basicApp({ refreshTokenValidity: REFRESH_VALIDITY, accessTokenValidity: 300 }));
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());
  afterEach(() => jest.restoreAllMocks());

  const strict = (token: string) => request(app.getHttpServer()).get('/strict').set('Authorization', bearer(token));
  const me = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', bearer(token));

  describe('createNewSessionWithoutRequestResponse and the session object', () => {
    let session: SessionContainer;
    let createdAt: number;
    beforeEach(async () => {
      const clock = fakeClock();
      createdAt = clock.now;
      session = await sessions.createNewSessionWithoutRequestResponse('tenant-a', 'offline-alice', { role: 'editor' }, { cart: [1, 2] });
    });

    it('getters return the identity, tokens and payload of the new session', () => {
      expect(session.getUserId()).toBe('offline-alice');
      expect(session.getTenantId()).toBe('tenant-a');
      expect(session.getHandle()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(session.getAccessToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      const tokens = session.getAllSessionTokensDangerously();
      expect(tokens.accessToken).toBe(session.getAccessToken());
      expect(typeof tokens.refreshToken).toBe('string');
      expect(tokens.antiCsrfToken).toBeUndefined();
      expect(tokens.accessAndFrontTokenUpdated).toBe(true);

      const payload = session.getAccessTokenPayload();
      expect(customClaims(payload)).toEqual({
        sub: 'offline-alice',
        tId: 'tenant-a',
        rsub: 'offline-alice',
        sessionHandle: session.getHandle(),
        refreshTokenHash1: sha256Hex(tokens.refreshToken!),
        parentRefreshTokenHash1: null,
        antiCsrfToken: null,
        iss: 'nest-session',
        iat: Math.floor(createdAt / 1000),
        exp: lifetimeWithinJitter(300, Math.floor(createdAt / 1000)),
        role: 'editor',
      });
      expect(jwtPayload(session.getAccessToken())).toEqual(payload);
      expect(decodeFrontToken(tokens.frontToken)).toEqual({ uid: 'offline-alice', ate: payload.exp * 1000, up: payload });
    });

    it('getTimeCreated / getExpiry come from the database', async () => {
      expect(await session.getTimeCreated()).toBe(createdAt);
      expect(await session.getExpiry()).toBe(createdAt + REFRESH_VALIDITY * 1000);
    });

    it('getSessionDataFromDatabase reads, updateSessionDataInDatabase replaces (not merges)', async () => {
      expect(await session.getSessionDataFromDatabase()).toEqual({ cart: [1, 2] });
      await session.updateSessionDataInDatabase({ note: 'replaced' });
      expect(await session.getSessionDataFromDatabase()).toEqual({ note: 'replaced' });
      expect((await sessions.getSessionInformation(session.getHandle()))?.sessionDataInDatabase).toEqual({ note: 'replaced' });
    });

    it('the access token works over HTTP on a guarded route', async () => {
      const res = await me(session.getAccessToken()).expect(200);
      expect(res.body).toMatchObject({ userId: 'offline-alice', tenantId: 'tenant-a', sessionHandle: session.getHandle() });
    });

    it('session.revokeSession() removes it: database-checked routes refuse it and data calls fail with 401', async () => {
      await session.revokeSession();
      expect(await sessions.getSessionInformation(session.getHandle())).toBeUndefined();
      expect((await strict(session.getAccessToken()).expect(401)).body).toEqual({ message: 'unauthorised' });
      const error = await rejection(session.getSessionDataFromDatabase());
      expect(error).toBeInstanceOf(SessionError);
      expect(error.type).toBe('UNAUTHORISED');
      expect((await rejection(session.updateSessionDataInDatabase({ x: 1 }))).type).toBe('UNAUTHORISED');
      expect((await rejection(session.getExpiry())).type).toBe('UNAUTHORISED');
    });
  });

  describe('getSessionWithoutRequestResponse', () => {
    it('verifies an access token given directly and returns its session', async () => {
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'ws-user', { room: 7 });
      const verified = await sessions.getSessionWithoutRequestResponse(created.getAccessToken());
      expect(verified.getHandle()).toBe(created.getHandle());
      expect(verified.getUserId()).toBe('ws-user');
      expect(verified.getAccessTokenPayload().room).toBe(7);
      expect(verified.getAllSessionTokensDangerously()).toMatchObject({ accessToken: created.getAccessToken(), refreshToken: undefined, accessAndFrontTokenUpdated: false });
    });

    it('rejects a tampered token with TRY_REFRESH_TOKEN', async () => {
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'ws-user');
      const [h, p, s] = created.getAccessToken().split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...jwtPayload(created.getAccessToken()), sub: 'root' })).toString('base64url')}.${s}`;
      expect(p).not.toBe(tampered.split('.')[1]);
      const error = await rejection(sessions.getSessionWithoutRequestResponse(tampered));
      expect(error).toBeInstanceOf(SessionError);
      expect(error.type).toBe('TRY_REFRESH_TOKEN');
    });

    it('rejects an expired token with TRY_REFRESH_TOKEN', async () => {
      const clock = fakeClock();
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'ws-user');
      clock.advance(301);
      expect((await rejection(sessions.getSessionWithoutRequestResponse(created.getAccessToken()))).type).toBe('TRY_REFRESH_TOKEN');
    });

    it('with checkDatabase, rejects a revoked session with UNAUTHORISED', async () => {
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'ws-user');
      await sessions.revokeSession(created.getHandle());
      await expect(sessions.getSessionWithoutRequestResponse(created.getAccessToken())).resolves.toBeDefined();
      const error = await rejection(sessions.getSessionWithoutRequestResponse(created.getAccessToken(), undefined, { checkDatabase: true }));
      expect(error.type).toBe('UNAUTHORISED');
    });
  });

  describe('refreshSessionWithoutRequestResponse', () => {
    it('rotates the refresh token and issues a new access token for the same session', async () => {
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'rt-user', { keep: 'me' }, { d: 1 });
      const firstRefresh = created.getAllSessionTokensDangerously().refreshToken!;
      const refreshed = await sessions.refreshSessionWithoutRequestResponse(firstRefresh);
      const tokens = refreshed.getAllSessionTokensDangerously();
      expect(refreshed.getHandle()).toBe(created.getHandle());
      expect(tokens.refreshToken).not.toBe(firstRefresh);
      expect(tokens.accessToken).not.toBe(created.getAccessToken());
      expect(tokens.accessAndFrontTokenUpdated).toBe(true);
      expect(refreshed.getAccessTokenPayload()).toMatchObject({
        sub: 'rt-user',
        keep: 'me',
        refreshTokenHash1: sha256Hex(tokens.refreshToken!),
        parentRefreshTokenHash1: sha256Hex(firstRefresh),
      });
      expect(await refreshed.getSessionDataFromDatabase()).toEqual({ d: 1 });
      expect((await me(tokens.accessToken).expect(200)).body.userId).toBe('rt-user');
      // The child refreshes again.
      const again = await sessions.refreshSessionWithoutRequestResponse(tokens.refreshToken!);
      expect(again.getHandle()).toBe(created.getHandle());
    });

    it('extends the session expiry to a full refreshTokenValidity from the refresh', async () => {
      const clock = fakeClock();
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'rt-extend');
      clock.advance(500);
      await sessions.refreshSessionWithoutRequestResponse(created.getAllSessionTokensDangerously().refreshToken!);
      expect((await sessions.getSessionInformation(created.getHandle()))?.expiry).toBe(clock.now + REFRESH_VALIDITY * 1000);
    });

    it('refuses garbage and unknown refresh tokens with UNAUTHORISED', async () => {
      for (const token of ['', 'garbage', `${UNKNOWN_HANDLE}.0.${'A'.repeat(43)}`]) {
        const error = await rejection(sessions.refreshSessionWithoutRequestResponse(token));
        expect(error).toBeInstanceOf(SessionError);
        expect(error.type).toBe('UNAUTHORISED');
      }
    });
  });

  describe('getSessionInformation', () => {
    it('returns exactly what the database holds', async () => {
      const clock = fakeClock();
      const created = await sessions.createNewSessionWithoutRequestResponse('tenant-b', 'info-user', { plan: 'pro', n: 2 }, { secret: 's3' });
      const info = await sessions.getSessionInformation(created.getHandle());
      expect(info && { ...info, customClaimsInAccessTokenPayload: customClaims(info.customClaimsInAccessTokenPayload) }).toEqual({
        sessionHandle: created.getHandle(),
        userId: 'info-user',
        tenantId: 'tenant-b',
        sessionDataInDatabase: { secret: 's3' },
        customClaimsInAccessTokenPayload: { plan: 'pro', n: 2 },
        expiry: clock.now + REFRESH_VALIDITY * 1000,
        timeCreated: clock.now,
        lastRefreshedAt: clock.now,
        idleExpiry: clock.now + REFRESH_VALIDITY * 1000,
        absoluteExpiry: undefined,
      });
    });

    it('is undefined for an unknown handle and for an expired session', async () => {
      const clock = fakeClock();
      expect(await sessions.getSessionInformation(UNKNOWN_HANDLE)).toBeUndefined();
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'expiring-user');
      clock.advance(REFRESH_VALIDITY - 1);
      expect(await sessions.getSessionInformation(created.getHandle())).toBeDefined();
      clock.advance(1);
      expect(await sessions.getSessionInformation(created.getHandle())).toBeUndefined();
    });
  });

  describe('updateSessionDataInDatabase by handle', () => {
    it('replaces the data and returns true', async () => {
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'data-user', {}, { a: 1, b: 2 });
      expect(await sessions.updateSessionDataInDatabase(created.getHandle(), { c: 3 })).toBe(true);
      expect((await sessions.getSessionInformation(created.getHandle()))?.sessionDataInDatabase).toEqual({ c: 3 });
      // Writing the same data again is still a success.
      expect(await sessions.updateSessionDataInDatabase(created.getHandle(), { c: 3 })).toBe(true);
    });

    it('returns false for an unknown handle and for an expired session, and changes nothing', async () => {
      const clock = fakeClock();
      expect(await sessions.updateSessionDataInDatabase(UNKNOWN_HANDLE, { c: 3 })).toBe(false);
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'data-expired', {}, { kept: true });
      clock.advance(REFRESH_VALIDITY + 1);
      expect(await sessions.updateSessionDataInDatabase(created.getHandle(), { overwritten: true })).toBe(false);
      clock.advance(-(REFRESH_VALIDITY + 1));
      expect((await sessions.getSessionInformation(created.getHandle()))?.sessionDataInDatabase).toEqual({ kept: true });
    });
  });

  describe('revocation by handle and by user', () => {
    it('revokeSession returns true once, then false; the revoked token fails checkDatabase routes only', async () => {
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'revoke-one');
      await strict(created.getAccessToken()).expect(200);
      expect(await sessions.revokeSession(created.getHandle())).toBe(true);
      expect(await sessions.revokeSession(created.getHandle())).toBe(false);
      expect(await sessions.revokeSession(UNKNOWN_HANDLE)).toBe(false);
      expect((await strict(created.getAccessToken()).expect(401)).body).toEqual({ message: 'unauthorised' });
      // Without checkDatabase the JWT alone is trusted until its exp (SuperTokens' semantics).
      await me(created.getAccessToken()).expect(200);
      // And its refresh token is dead.
      const error = await rejection(sessions.refreshSessionWithoutRequestResponse(created.getAllSessionTokensDangerously().refreshToken!));
      expect(error.type).toBe('UNAUTHORISED');
    });

    it('revokeMultipleSessions revokes the listed sessions and returns those that existed', async () => {
      const a = await sessions.createNewSessionWithoutRequestResponse('public', 'multi-user');
      const b = await sessions.createNewSessionWithoutRequestResponse('public', 'multi-user');
      const c = await sessions.createNewSessionWithoutRequestResponse('public', 'multi-user');
      const revoked = await sessions.revokeMultipleSessions([a.getHandle(), UNKNOWN_HANDLE, c.getHandle()]);
      expect([...revoked].sort()).toEqual([a.getHandle(), c.getHandle()].sort());
      expect(await sessions.getAllSessionHandlesForUser('multi-user')).toEqual([b.getHandle()]);
      expect(await sessions.revokeMultipleSessions([])).toEqual([]);
    });

    it('revokeAllSessionsForUser without a tenant revokes the user’s sessions in every tenant, and nobody else’s', async () => {
      const clock = fakeClock();
      const p1 = await sessions.createNewSessionWithoutRequestResponse('public', 'all-user');
      clock.advance(1);
      const t1 = await sessions.createNewSessionWithoutRequestResponse('tenant-1', 'all-user');
      const other = await sessions.createNewSessionWithoutRequestResponse('public', 'all-other-user');
      const revoked = await sessions.revokeAllSessionsForUser('all-user');
      expect([...revoked].sort()).toEqual([p1.getHandle(), t1.getHandle()].sort());
      expect(await sessions.getAllSessionHandlesForUser('all-user')).toEqual([]);
      expect(await sessions.getAllSessionHandlesForUser('all-other-user')).toEqual([other.getHandle()]);
      expect(await sessions.revokeAllSessionsForUser('all-user')).toEqual([]);
    });

    it('revokeAllSessionsForUser with a tenant revokes only that tenant’s sessions', async () => {
      const pub = await sessions.createNewSessionWithoutRequestResponse('public', 'tenant-user');
      const t1 = await sessions.createNewSessionWithoutRequestResponse('tenant-1', 'tenant-user');
      expect(await sessions.revokeAllSessionsForUser('tenant-user', 'tenant-1')).toEqual([t1.getHandle()]);
      expect(await sessions.getAllSessionHandlesForUser('tenant-user')).toEqual([pub.getHandle()]);
      expect((await strict(t1.getAccessToken()).expect(401)).body).toEqual({ message: 'unauthorised' });
      expect((await strict(pub.getAccessToken()).expect(200)).body).toEqual({ userId: 'tenant-user' });
    });
  });

  describe('getAllSessionHandlesForUser', () => {
    it('lists live sessions in creation order, optionally per tenant, and leaves out expired ones', async () => {
      const clock = fakeClock();
      const first = await sessions.createNewSessionWithoutRequestResponse('public', 'list-user');
      clock.advance(100);
      const second = await sessions.createNewSessionWithoutRequestResponse('tenant-9', 'list-user');
      clock.advance(100);
      const third = await sessions.createNewSessionWithoutRequestResponse('public', 'list-user');
      await sessions.createNewSessionWithoutRequestResponse('public', 'list-user-2');

      expect(await sessions.getAllSessionHandlesForUser('list-user')).toEqual([first.getHandle(), second.getHandle(), third.getHandle()]);
      expect(await sessions.getAllSessionHandlesForUser('list-user', 'public')).toEqual([first.getHandle(), third.getHandle()]);
      expect(await sessions.getAllSessionHandlesForUser('list-user', 'tenant-9')).toEqual([second.getHandle()]);
      expect(await sessions.getAllSessionHandlesForUser('nobody')).toEqual([]);

      // 600 s after the first: it has expired, the others have not.
      clock.advance(REFRESH_VALIDITY - 200);
      expect(await sessions.getAllSessionHandlesForUser('list-user')).toEqual([second.getHandle(), third.getHandle()]);
      clock.advance(200);
      expect(await sessions.getAllSessionHandlesForUser('list-user')).toEqual([]);
    });
  });

  describe('cleanup()', () => {
    // Its own app: the table holds exactly the sessions these tests create.
    let cleanupApp: INestApplication;
    let own: SessionService;
    beforeAll(async () => {
      cleanupApp = await createTestApp(platform, basicApp({ refreshTokenValidity: REFRESH_VALIDITY }));
      own = cleanupApp.get(SessionService);
    });
    afterAll(() => cleanupApp.close());

    it('deletes expired sessions only', async () => {
      const clock = fakeClock();
      const sessions = own;
      const start = clock.now;
      const old = await sessions.createNewSessionWithoutRequestResponse('public', 'cleanup-user', {}, { old: true });
      clock.advance(REFRESH_VALIDITY / 2);
      const young = await sessions.createNewSessionWithoutRequestResponse('public', 'cleanup-user', {}, { young: true });

      // Past the old session's expiry only.
      clock.advance(REFRESH_VALIDITY / 2 + 1);
      expect(await sessions.getSessionInformation(old.getHandle())).toBeUndefined();
      expect(await sessions.cleanup()).toEqual({ sessions: 1, keys: 0 });
      expect(await sessions.cleanup()).toEqual({ sessions: 0, keys: 0 });

      // Back in time: the young session is still there, the old one is gone for good (deleted, not just hidden).
      clock.set(start + 1000);
      expect(await sessions.getAllSessionHandlesForUser('cleanup-user')).toEqual([young.getHandle()]);
      expect(await sessions.getSessionInformation(old.getHandle())).toBeUndefined();
      expect((await sessions.getSessionInformation(young.getHandle()))?.sessionDataInDatabase).toEqual({ young: true });
    });

    it('a session that expired but was not yet cleaned up is still hidden from every offline function', async () => {
      const clock = fakeClock();
      const sessions = own;
      const created = await sessions.createNewSessionWithoutRequestResponse('public', 'hidden-user', {}, { v: 1 });
      clock.advance(REFRESH_VALIDITY + 5);
      expect(await sessions.getSessionInformation(created.getHandle())).toBeUndefined();
      expect(await sessions.getAllSessionHandlesForUser('hidden-user')).toEqual([]);
      expect(await sessions.updateSessionDataInDatabase(created.getHandle(), { v: 2 })).toBe(false);
      expect((await rejection(created.getSessionDataFromDatabase())).type).toBe('UNAUTHORISED');
      expect((await rejection(sessions.refreshSessionWithoutRequestResponse(created.getAllSessionTokensDangerously().refreshToken!))).type).toBe(
        'UNAUTHORISED',
      );
    });
  });
});
