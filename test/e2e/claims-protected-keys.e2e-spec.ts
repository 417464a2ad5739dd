import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PROTECTED_PAYLOAD_KEYS, ProtectedPayloadKeyError, SessionService } from '../../src';
import { protectedKeysApp, SubClaim } from '../fixtures/protected-keys.app';
import { expectNewAccessToken, expectNoNewAccessToken, SessionClient } from '../support/session-client';
import { createTestApp, PLATFORMS } from '../support/platforms';

/**
 * Keys the session layer owns (`sub`, `exp`, `sessionHandle`...) cannot be
 * written through creation, the createNewSession hook, merges (online and offline) or claims.
 * The error names the key, nothing is half-written, and the app keeps serving.
 */

/** Asserts `promise` fails with a ProtectedPayloadKeyError naming `key`. */
async function expectRefused(promise: Promise<unknown>, key: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtectedPayloadKeyError);
  expect((error as ProtectedPayloadKeyError).key).toBe(key);
  expect((error as Error).message).toBe(`"${key}" is a protected access-token payload key and cannot be set by the application`);
}

describe.each(PLATFORMS)('protected access-token payload keys (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;

  beforeAll(async () => {
    app = await createTestApp(platform, protectedKeysApp());
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());

  async function signIn(userId: string): Promise<SessionClient> {
    const client = new SessionClient(app);
    await client.login({ userId });
    return client;
  }

  async function storedPayload(handle: string) {
    return (await sessions.getSessionInformation(handle))!.customClaimsInAccessTokenPayload;
  }

  /** The app still answers normally (the error did not take it down). */
  async function expectAppServing(): Promise<void> {
    const client = await signIn('still-serving');
    expect((await client.get('/me')).status).toBe(200);
  }

  describe('creating a session', () => {
    it('is the documented list of keys', () => {
      expect([...PROTECTED_PAYLOAD_KEYS].sort()).toEqual(
        // DESIGN §4's list plus `iss`, which the module also owns, and `nbf`, `jti`, `aud`, which
        // other verifiers interpret (see src/tokens/protected-keys.ts).
        ['antiCsrfToken', 'exp', 'iat', 'iss', 'nbf', 'jti', 'aud', 'parentRefreshTokenHash1', 'refreshTokenHash1', 'rsub', 'sessionHandle', 'stt', 'sub', 'tId'].sort(),
      );
    });

    it.each(PROTECTED_PAYLOAD_KEYS.map((key) => [key]))('refuses "%s" in the payload, naming it, and creates no session', async (key) => {
      const userId = `create-${key}`;

      await expectRefused(sessions.createNewSessionWithoutRequestResponse('public', userId, { note: 'n', [key]: 'forged' }), key);

      expect(await sessions.getAllSessionHandlesForUser(userId)).toEqual([]);
    });

    it('over HTTP: the sign-in route answers 400 JSON (the module filter), sends no tokens, creates no session, and the app keeps serving', async () => {
      const res = await request(app.getHttpServer()).post('/login').send({ userId: 'http-forger', payload: { sub: 'admin' } });

      expect([res.status, res.body.error]).toEqual([400, 'ProtectedPayloadKeyError']);
      expectNoNewAccessToken(res);
      expect(res.headers['st-refresh-token']).toBeUndefined();
      expect(await sessions.getAllSessionHandlesForUser('http-forger')).toEqual([]);
      expect(await sessions.getAllSessionHandlesForUser('admin')).toEqual([]);
      await expectAppServing();
    });

    it.each([
      ['returns', 'hook-return-exp', 'exp'],
      ['mutates its input with', 'hook-mutate-sessionHandle', 'sessionHandle'],
    ])('refuses a createNewSession hook that %s a protected key, naming it, and creates no session', async (_how, userId, key) => {
      await expectRefused(sessions.createNewSessionWithoutRequestResponse('public', userId), key);
      const res = await request(app.getHttpServer()).post('/login').send({ userId });

      expect([res.status, res.body.error]).toEqual([400, 'ProtectedPayloadKeyError']);
      expectNoNewAccessToken(res);
      expect(await sessions.getAllSessionHandlesForUser(userId)).toEqual([]);
      await expectAppServing();
    });

    it('refuses a claim added to every new session whose key is protected', async () => {
      const claimsApp = await createTestApp(platform, protectedKeysApp({ claimsToAddOnCreate: [SubClaim] }));
      try {
        const service = claimsApp.get(SessionService);
        await expectRefused(service.createNewSessionWithoutRequestResponse('public', 'claim-on-create'), 'sub');
        const res = await request(claimsApp.getHttpServer()).post('/login').send({ userId: 'claim-on-create' });
        expect([res.status, res.body.error]).toEqual([400, 'ProtectedPayloadKeyError']);
        expect(await service.getAllSessionHandlesForUser('claim-on-create')).toEqual([]);
      } finally {
        await claimsApp.close();
      }
    });
  });

  describe('merging into the payload', () => {
    it('session.mergeIntoAccessTokenPayload refuses a protected key, naming it, and writes none of the update', async () => {
      const user = await signIn('merge-online');
      const before = await storedPayload(user.handle!);

      const res = await user.post('/merge', { update: { note: 'half', iat: 0 } });

      expect([res.status, res.body.error]).toEqual([400, 'ProtectedPayloadKeyError']);
      expectNoNewAccessToken(res);
      expect(await storedPayload(user.handle!)).toEqual(before);
      const me = await user.get('/me');
      expect(me.status).toBe(200);
      expect(me.body.payload).not.toHaveProperty('note');

      const direct = await sessions.createNewSessionWithoutRequestResponse('public', 'merge-direct');
      await expectRefused(direct.mergeIntoAccessTokenPayload({ note: 'half', antiCsrfToken: 'forged' }), 'antiCsrfToken');
      expect(await storedPayload(direct.getHandle())).not.toHaveProperty('note');
      expect(direct.getAccessTokenPayload()).not.toHaveProperty('note');
    });

    it('SessionService.mergeIntoAccessTokenPayload (and its per-user form) refuse a protected key, naming it, and write nothing', async () => {
      const user = await signIn('merge-offline');
      const before = await storedPayload(user.handle!);

      await expectRefused(sessions.mergeIntoAccessTokenPayload(user.handle!, { note: 'half', tId: 'other-tenant' }), 'tId');
      await expectRefused(sessions.mergeIntoAccessTokenPayloadForUser('merge-offline', { note: 'half', rsub: 'someone' }), 'rsub');

      expect(await storedPayload(user.handle!)).toEqual(before);
      await user.refreshSession();
      expect(user.payload.tId).toBe('public');
      expect(user.payload).not.toHaveProperty('note');
    });

    it('ignores { key: null } for protected keys and applies the rest of the update, online and offline', async () => {
      const user = await signIn('merge-null');
      const original = user.payload;

      const res = await user.post('/merge', { update: { sub: null, exp: null, sessionHandle: null, note: 'online' } });

      expect(res.status).toBe(201);
      const payload = expectNewAccessToken(user, res);
      expect(payload.sub).toBe('merge-null');
      expect(payload.exp).toBe(original.exp);
      expect(payload.sessionHandle).toBe(original.sessionHandle);
      expect(payload.note).toBe('online');

      await expect(sessions.mergeIntoAccessTokenPayload(user.handle!, { antiCsrfToken: null, stt: null, offline: true })).resolves.toBe(true);
      const stored = await storedPayload(user.handle!);
      expect(stored).toMatchObject({ note: 'online', offline: true });
      for (const key of PROTECTED_PAYLOAD_KEYS) expect(stored).not.toHaveProperty(key);
      await user.refreshSession();
      expect(user.payload).toMatchObject({ sub: 'merge-null', sessionHandle: original.sessionHandle, note: 'online', offline: true });
    });
  });

  describe('claims stored under a protected key', () => {
    it('session.setClaimValue / fetchAndSetClaim are refused over HTTP, and the payload is unchanged', async () => {
      const user = await signIn('claim-online');
      const before = await storedPayload(user.handle!);

      const set = await user.post('/set-sub-claim');
      const fetched = await user.post('/fetch-sub-claim');

      expect([set.status, set.body.error]).toEqual([400, 'ProtectedPayloadKeyError']);
      expect([fetched.status, fetched.body.error]).toEqual([400, 'ProtectedPayloadKeyError']);
      expectNoNewAccessToken(set);
      expectNoNewAccessToken(fetched);
      expect(await storedPayload(user.handle!)).toEqual(before);
      expect((await user.get('/me')).body.payload.sub).toBe('claim-online');
    });

    it('the session object and the offline forms refuse them too, naming the key', async () => {
      const session = await sessions.createNewSessionWithoutRequestResponse('public', 'claim-offline');
      const handle = session.getHandle();
      const before = await storedPayload(handle);

      await expectRefused(session.setClaimValue(SubClaim, 'forged'), 'sub');
      await expectRefused(session.fetchAndSetClaim(SubClaim), 'sub');
      await expectRefused(sessions.setClaimValue(handle, SubClaim, 'forged'), 'sub');
      await expectRefused(sessions.fetchAndSetClaim(handle, SubClaim), 'sub');

      expect(await storedPayload(handle)).toEqual(before);
      expect(session.getAccessTokenPayload().sub).toBe('claim-offline');
    });

    it('a validator refetching such a claim is refused on a route and in validateClaimsForSessionHandle; nothing is written', async () => {
      const user = await signIn('claim-validator');
      const before = await storedPayload(user.handle!);

      const res = await user.get('/requires-sub');
      expect([res.status, res.body.error]).toEqual([400, 'ProtectedPayloadKeyError']);
      expectNoNewAccessToken(res);

      await expectRefused(sessions.validateClaimsForSessionHandle(user.handle!, () => [SubClaim.validators.hasValue('forged')]), 'sub');

      expect(await storedPayload(user.handle!)).toEqual(before);
      await user.refreshSession();
      expect(user.payload.sub).toBe('claim-validator');
      await expectAppServing();
    });
  });
});
