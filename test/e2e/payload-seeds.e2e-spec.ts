import type { INestApplication } from '@nestjs/common';
import { SessionService } from '../../src';
import { payloadApp } from '../fixtures/payload.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { customClaimsOfToken, SessionClient, TRANSFER_MODES } from '../support/session-client';
import { decodeFrontToken, jwtPayload, setCookie } from '../support/tokens';

/**
 * The access-token payload works as the seeds "Using the access token payload" and "Updating
 * roles in a session" write it, end to end over HTTP.
 */

/** Keys the session layer owns; legacy replace and merges must leave them as they were. */
const SESSION_OWNED = ['sub', 'tId', 'rsub', 'sessionHandle', 'refreshTokenHash1', 'parentRefreshTokenHash1', 'antiCsrfToken', 'iss', 'exp'];
const pick = (o: Record<string, any>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));

describe.each(PLATFORMS)('access-token payload: the seed scenarios (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    app = await createTestApp(platform, payloadApp());
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());

  describe.each(TRANSFER_MODES)('in %s mode', (mode) => {
    const c = () => new SessionClient(app, mode);

    it('the createNewSession override adds someKey: it is in the token, the front-token and the stored session', async () => {
      const { handle, access, front } = await c().login({ userId: `alice-${mode}`, payload: { customClaim: 'hello' } });

      expect(customClaimsOfToken(access)).toEqual({ customClaim: 'hello', someKey: 'someValue' });
      expect(decodeFrontToken(front)).toEqual({ uid: `alice-${mode}`, ate: jwtPayload(access).exp * 1000, up: jwtPayload(access) });
      const info = await sessions.getSessionInformation(handle);
      expect(info?.customClaimsInAccessTokenPayload).toEqual({ customClaim: 'hello', someKey: 'someValue' });
    });

    it('POST /updateinfo merges {newKey: "newValue"}: the same response carries the new token and front-token, with the same exp', async () => {
      const client = c();
      const login = await client.login({ userId: `bob-${mode}` });
      const before = jwtPayload(login.access);

      const res = await client.post('/updateinfo', undefined, login.access).expect(201);

      expect(res.body).toEqual({ message: 'successfully updated access token payload' });
      const sent = client.tokensOf(res);
      expect(sent.access).toBeDefined();
      expect(sent.access).not.toBe(login.access);
      const after = jwtPayload(sent.access!);
      expect(customClaimsOfToken(sent.access!)).toEqual({ someKey: 'someValue', newKey: 'newValue' });
      expect(pick(after, SESSION_OWNED)).toEqual(pick(before, SESSION_OWNED));
      expect(decodeFrontToken(sent.front!)).toEqual({ uid: `bob-${mode}`, ate: before.exp * 1000, up: after });
      // Only the access token changes: no new refresh token.
      expect(sent.refresh).toBeUndefined();
      if (mode === 'header') {
        expect(setCookie(res, 'sAccessToken')).toBeUndefined();
        expect(res.headers['access-control-expose-headers']).toEqual(expect.stringContaining('st-access-token'));
        expect(res.headers['access-control-expose-headers']).toEqual(expect.stringContaining('front-token'));
      } else {
        expect(res.headers['st-access-token']).toBeUndefined();
        expect(setCookie(res, 'sAccessToken')?.attributes).toEqual(expect.objectContaining({ path: '/', httponly: true }));
      }

      // The database holds the merge, and the new token is the one the next request uses.
      expect((await sessions.getSessionInformation(login.handle))?.customClaimsInAccessTokenPayload).toEqual({ someKey: 'someValue', newKey: 'newValue' });
      const next = await client.get('/payload', sent.access!).expect(200);
      expect(next.body.payload.newKey).toBe('newValue');
    });

    it('a legacy updateAccessTokenPayload({ role }) replaces the custom payload: earlier custom keys are gone, the session-owned ones stay', async () => {
      const client = c();
      const login = await client.login({ userId: `carol-${mode}`, payload: { customClaim: 'hello', plan: 'pro' } });
      const before = jwtPayload(login.access);

      const res = await client.post('/update-role', undefined, login.access).expect(200);

      expect(res.text).toBe('true');
      const sent = client.tokensOf(res);
      const after = jwtPayload(sent.access!);
      expect(customClaimsOfToken(sent.access!)).toEqual({ role: 'admin' });
      expect(pick(after, SESSION_OWNED)).toEqual(pick(before, SESSION_OWNED));
      expect(decodeFrontToken(sent.front!).up).toEqual(after);
      expect((await sessions.getSessionInformation(login.handle))?.customClaimsInAccessTokenPayload).toEqual({ role: 'admin' });

      // A refresh starts from the replaced payload.
      const refreshed = await client.refreshSession(login.refresh).expect(200);
      expect(customClaimsOfToken(client.tokensOf(refreshed).access!)).toEqual({ role: 'admin' });
    });

    it('the Python/Go form of the role seed (whole current payload, role changed, written back) keeps every other key and stores only custom claims', async () => {
      const client = c();
      const login = await client.login({ userId: `dan-${mode}`, payload: { customClaim: 'hello' } });
      const before = jwtPayload(login.access);

      const res = await client.post('/update-role-from-current', undefined, login.access).expect(200);

      const after = jwtPayload(client.tokensOf(res).access!);
      expect(customClaimsOfToken(client.tokensOf(res).access!)).toEqual({ customClaim: 'hello', someKey: 'someValue', role: 'newRole' });
      expect(pick(after, SESSION_OWNED)).toEqual(pick(before, SESSION_OWNED));
      expect(res.body.payload).toEqual(after);
      expect((await sessions.getSessionInformation(login.handle))?.customClaimsInAccessTokenPayload).toEqual({
        customClaim: 'hello',
        someKey: 'someValue',
        role: 'newRole',
      });
    });
  });

  describe('offline mode: changing every session of a user', () => {
    const client = () => new SessionClient(app, 'header');

    /** Three sessions of `userId` (two in `public`, one in `acme`) and one of somebody else. */
    async function sessionsOf(userId: string) {
      const c = client();
      const mine = [
        await c.login({ userId, tenantId: 'public' }),
        await c.login({ userId, tenantId: 'public' }),
        await c.login({ userId, tenantId: 'acme' }),
      ];
      const stranger = await c.login({ userId: `${userId}-neighbour`, tenantId: 'public' });
      return { mine, stranger };
    }

    async function customClaimsAfterRefresh(refreshToken: string) {
      const res = await client().refreshSession(refreshToken).expect(200);
      return customClaimsOfToken(client().tokensOf(res).access!);
    }

    it("the seed's loop (getAllSessionHandlesForUser, getSessionInformation, mergeIntoAccessTokenPayload) reaches every session at its next refresh", async () => {
      const { mine, stranger } = await sessionsOf('erin');

      const sessionHandles = await sessions.getAllSessionHandlesForUser('erin');
      expect([...sessionHandles].sort()).toEqual(mine.map((s) => s.handle).sort());
      const merged = await Promise.all(
        sessionHandles.map(async (handle) => {
          const currSessionInfo = await sessions.getSessionInformation(handle);
          if (currSessionInfo === undefined) return false;
          return sessions.mergeIntoAccessTokenPayload(handle, { newKey: 'newValue' });
        }),
      );
      expect(merged).toEqual([true, true, true]);

      // The seed's caution: the token in the user's hands changes only once the session is refreshed.
      const stale = await client().get('/payload', mine[0].access).expect(200);
      expect(stale.body.payload.newKey).toBeUndefined();
      expect(stale.headers['st-access-token']).toBeUndefined();
      for (const s of mine) expect(await customClaimsAfterRefresh(s.refresh)).toEqual({ someKey: 'someValue', newKey: 'newValue' });
      expect(await customClaimsAfterRefresh(stranger.refresh)).toEqual({ someKey: 'someValue' });
    });

    it('mergeIntoAccessTokenPayloadForUser does the same in one call and counts the sessions it changed', async () => {
      const { mine, stranger } = await sessionsOf('frank');

      expect(await sessions.mergeIntoAccessTokenPayloadForUser('frank', { newKey: 'newValue' })).toBe(3);

      for (const s of mine) expect(await customClaimsAfterRefresh(s.refresh)).toEqual({ someKey: 'someValue', newKey: 'newValue' });
      expect(await customClaimsAfterRefresh(stranger.refresh)).toEqual({ someKey: 'someValue' });
      expect(await sessions.mergeIntoAccessTokenPayloadForUser('nobody-at-all', { newKey: 'newValue' })).toBe(0);
    });

    it('mergeIntoAccessTokenPayloadForUser with a tenant changes only that tenant’s sessions', async () => {
      const { mine } = await sessionsOf('grace');

      expect(await sessions.mergeIntoAccessTokenPayloadForUser('grace', { plan: 'enterprise' }, 'acme')).toBe(1);
      expect(await sessions.mergeIntoAccessTokenPayloadForUser('grace', { region: 'eu' }, 'public')).toBe(2);

      expect(await customClaimsAfterRefresh(mine[0].refresh)).toEqual({ someKey: 'someValue', region: 'eu' });
      expect(await customClaimsAfterRefresh(mine[1].refresh)).toEqual({ someKey: 'someValue', region: 'eu' });
      expect(await customClaimsAfterRefresh(mine[2].refresh)).toEqual({ someKey: 'someValue', plan: 'enterprise' });
    });
  });

  describe('reading the payload', () => {
    it('online, as GET /myApi does (getAccessTokenPayload().customClaim)', async () => {
      const c = new SessionClient(app, 'cookie');
      const { access } = await c.login({ userId: 'heidi', payload: { customClaim: { level: 3, tags: ['a', 'b'] } } });
      const res = await c.get('/myApi', access).expect(200);
      expect(res.body).toEqual({ customClaim: { level: 3, tags: ['a', 'b'] } });
      // Reading does not re-issue anything.
      expect(res.headers['front-token']).toBeUndefined();
    });

    it('offline, as the seed does (getAllSessionHandlesForUser, then getSessionInformation(handle))', async () => {
      const c = new SessionClient(app, 'header');
      const { handle } = await c.login({ userId: 'ivan', tenantId: 'acme', payload: { customClaim: 'offline-readable' }, data: { private: 1 } });

      const sessionHandles = await sessions.getAllSessionHandlesForUser('ivan');
      expect(sessionHandles).toEqual([handle]);
      const currSessionInfo = await sessions.getSessionInformation(sessionHandles[0]);
      expect(currSessionInfo?.customClaimsInAccessTokenPayload.customClaim).toBe('offline-readable');
      expect(currSessionInfo).toEqual({
        sessionHandle: handle,
        userId: 'ivan',
        tenantId: 'acme',
        sessionDataInDatabase: { private: 1 },
        customClaimsInAccessTokenPayload: { customClaim: 'offline-readable', someKey: 'someValue' },
        expiry: currSessionInfo!.timeCreated + 100 * 24 * 60 * 60 * 1000,
        timeCreated: expect.any(Number),
        lastRefreshedAt: currSessionInfo!.timeCreated,
        idleExpiry: currSessionInfo!.timeCreated + 100 * 24 * 60 * 60 * 1000,
        absoluteExpiry: undefined,
      });
      expect(await sessions.getSessionInformation('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });
  });
});
