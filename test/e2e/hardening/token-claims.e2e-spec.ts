import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ProtectedPayloadKeyError, SessionError, SessionService } from '../../../src';
import { basicApp } from '../../fixtures/basic.app';
import { createTestApp, PLATFORMS } from '../../support/platforms';
import { sharedTestDatabase } from '../../support/shared-database';
import { headerTokens, jwtHeader, jwtPayload } from '../../support/tokens';

/**
 * Issue 9 items 5, 6 and 10 — what a token claims is what the module issued:
 * - `nbf`, `jti` and `aud` are protected payload keys (other verifiers interpret them; a future
 *   `nbf` made the server issue tokens it then refused, and the client looped on refresh);
 * - `iss` is verified: two apps sharing a key table but not an issuer refuse each other's tokens;
 * - `getSessionWithoutRequestResponse` given anything but a token string is the ordinary
 *   unauthorised error, never a TypeError.
 */

const bearer = (token: string) => `Bearer ${token}`;

describe.each(PLATFORMS)('token claims (%s)', (platform) => {
  // One app serves the protected-key and non-string-token checks (neither changes its state for the other).
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    app = await createTestApp(platform, basicApp());
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());

  describe('nbf, jti and aud are protected payload keys', () => {
    const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

    it.each([
      ['nbf', () => inAnHour()],
      ['nbf', () => 'soon'],
      ['jti', () => 'replayable-id'],
      ['aud', () => 'another-service'],
    ])('creating a session with "%s" is refused with ProtectedPayloadKeyError, and no session exists', async (key, value) => {
      const userId = `create-${key}-${typeof value()}`;
      await expect(sessions.createNewSessionWithoutRequestResponse('public', userId, { [key]: value() })).rejects.toEqual(new ProtectedPayloadKeyError(key));
      expect(await sessions.getAllSessionHandlesForUser(userId)).toEqual([]);
    });

    it.each(['nbf', 'jti', 'aud'])('"%s" over HTTP: 400 JSON naming it, no tokens, no session', async (key) => {
      const res = await request(app.getHttpServer()).post('/login').send({ userId: `http-${key}`, payload: { [key]: inAnHour() } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'ProtectedPayloadKeyError', key });
      expect(res.headers['st-access-token']).toBeUndefined();
      expect(await sessions.getAllSessionHandlesForUser(`http-${key}`)).toEqual([]);
    });

    it.each(['nbf', 'jti', 'aud'])('online and offline merges of "%s" are refused; the stored payload and the token stay as they were', async (key) => {
      const session = await sessions.createNewSessionWithoutRequestResponse('public', `merge-${key}`, { keep: 1 });
      await expect(session.mergeIntoAccessTokenPayload({ [key]: inAnHour() })).rejects.toBeInstanceOf(ProtectedPayloadKeyError);
      await expect(sessions.mergeIntoAccessTokenPayload(session.getHandle(), { [key]: 'x' })).rejects.toBeInstanceOf(ProtectedPayloadKeyError);
      await expect(sessions.mergeIntoAccessTokenPayloadForUser(`merge-${key}`, { [key]: 'x' })).rejects.toBeInstanceOf(ProtectedPayloadKeyError);
      expect((await sessions.getSessionInformation(session.getHandle()))!.customClaimsInAccessTokenPayload).toMatchObject({ keep: 1 });
      expect((await sessions.getSessionInformation(session.getHandle()))!.customClaimsInAccessTokenPayload).not.toHaveProperty(key);
      expect(jwtPayload(session.getAccessToken())).not.toHaveProperty(key);
      // The session still verifies and refreshes: no token the module then refuses was ever issued.
      const refreshed = await sessions.refreshSessionWithoutRequestResponse(session.getAllSessionTokensDangerously().refreshToken!);
      await expect(sessions.getSessionWithoutRequestResponse(refreshed.getAccessToken())).resolves.toBeDefined();
    });
  });

  describe('iss is verified: two apps sharing a key table, each with its own issuer', () => {
    const shared = sharedTestDatabase();
    let appA: INestApplication;
    let appB: INestApplication;
    beforeAll(async () => {
      appA = await createTestApp(platform, basicApp({ database: shared.options, issuer: 'app-a' }));
      appB = await createTestApp(platform, basicApp({ database: shared.options, issuer: 'app-b' }));
    });
    afterAll(async () => {
      await appA?.close();
      await appB?.close();
      shared.remove();
    });

    it("the apps do share keys (so the refusal below is the issuer's, not the signature's)", async () => {
      const a = headerTokens(await request(appA.getHttpServer()).post('/login').send({ userId: 'shared-keys' }).expect(201));
      const jwksB = (await request(appB.getHttpServer()).get('/auth/jwt/jwks.json').expect(200)).body.keys.map((k: { kid: string }) => k.kid);
      expect(jwksB).toContain(jwtHeader(a.access).kid);
    });

    it.each([
      ['A', 'B'],
      ['B', 'A'],
    ])("a token of app %s is refused by app %s (401 try refresh token) on every kind of guard, and accepted by its own app", async (from, to) => {
      const [issuing, other] = from === 'A' ? [appA, appB] : [appB, appA];
      const { access } = headerTokens(await request(issuing.getHttpServer()).post('/login').send({ userId: `cross-${from}` }).expect(201));
      expect(jwtPayload(access).iss).toBe(from === 'A' ? 'app-a' : 'app-b');
      for (const path of ['/me', '/strict', '/optional']) {
        const refused = await request(other.getHttpServer()).get(path).set('Authorization', bearer(access));
        expect([path, refused.status, refused.body]).toEqual([path, 401, { message: 'try refresh token' }]);
        await request(issuing.getHttpServer()).get(path).set('Authorization', bearer(access)).expect(200);
      }
      await expect(other.get(SessionService).getSessionWithoutRequestResponse(access)).rejects.toMatchObject({ type: 'TRY_REFRESH_TOKEN' });
      expect(to).not.toBe(from);
    });
  });

  describe('getSessionWithoutRequestResponse with something that is not a token string', () => {
    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['an object', { token: 'x' }],
      ['an array', ['a.b.c']],
      ['an empty string', ''],
    ])('%s → the ordinary unauthorised SessionError, not a TypeError', async (_label, token) => {
      const error = await sessions.getSessionWithoutRequestResponse(token as unknown as string).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SessionError);
      expect((error as SessionError).type).toBe('UNAUTHORISED');
    });

    it('a valid token with a non-string anti-CSRF token or null options is still verified (no TypeError)', async () => {
      const session = await sessions.createNewSessionWithoutRequestResponse('public', 'odd-arguments');
      const verified = await sessions.getSessionWithoutRequestResponse(session.getAccessToken(), 42 as unknown as string, null as unknown as undefined);
      expect(verified.getUserId()).toBe('odd-arguments');
    });
  });
});
