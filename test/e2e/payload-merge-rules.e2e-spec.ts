import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PROTECTED_PAYLOAD_KEYS, ProtectedPayloadKeyError, SessionService } from '../../src';
import { payloadApp } from '../fixtures/payload.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { customClaimsOfToken, SessionClient, TRANSFER_MODES } from '../support/session-client';
import { jwtPayload } from '../support/tokens';

/**
 * A merge follows SuperTokens' rules: what it does to keys (`null` removes, top-level
 * replace, unknown keys), that an online merge starts from the database and not from the
 * request's token, and that protected keys are refused everywhere with an error naming the key.
 */

const protectedKeyMessage = (key: string) => `"${key}" is a protected access-token payload key and cannot be set by the application`;

describe.each(PLATFORMS)('access-token payload merge rules (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    app = await createTestApp(platform, payloadApp());
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());

  const stored = async (handle: string) => (await sessions.getSessionInformation(handle))?.customClaimsInAccessTokenPayload;

  describe('what a merge does to keys', () => {
    const c = () => new SessionClient(app, 'header');

    it('online, { key: null } removes the key from the token and the database; other keys are set', async () => {
      const { handle, access } = await c().login({ payload: { keep: 1, drop: 2 } });

      const res = await c().post('/merge', { update: { drop: null, added: 3 } }, access).expect(200);

      expect(customClaimsOfToken(res.headers['st-access-token'])).toEqual({ keep: 1, added: 3, someKey: 'someValue' });
      expect(res.body.payload).toEqual(jwtPayload(res.headers['st-access-token']));
      expect(await stored(handle)).toEqual({ keep: 1, added: 3, someKey: 'someValue' });
    });

    it('offline, { key: null } removes the key', async () => {
      const { handle } = await c().login({ payload: { keep: 1, drop: 2 } });
      expect(await sessions.mergeIntoAccessTokenPayload(handle, { drop: null })).toBe(true);
      expect(await stored(handle)).toEqual({ keep: 1, someKey: 'someValue' });
    });

    it('{ key: null } for a key that does not exist is a no-op, online and offline', async () => {
      const { handle, access } = await c().login({ payload: { keep: 1 } });

      expect(await sessions.mergeIntoAccessTokenPayload(handle, { ghost: null })).toBe(true);
      expect(await stored(handle)).toEqual({ keep: 1, someKey: 'someValue' });

      const res = await c().post('/merge', { update: { ghost: null } }, access).expect(200);
      expect(customClaimsOfToken(res.headers['st-access-token'])).toEqual({ keep: 1, someKey: 'someValue' });
      expect(jwtPayload(res.headers['st-access-token']).exp).toBe(jwtPayload(access).exp);
      expect(await stored(handle)).toEqual({ keep: 1, someKey: 'someValue' });
    });

    it('the merge is top-level: an object value replaces the stored object whole, arrays too', async () => {
      const { handle, access } = await c().login({ payload: { prefs: { theme: 'dark', lang: 'en' }, tags: ['a', 'b'] } });

      await c().post('/merge', { update: { prefs: { theme: 'light' }, tags: ['c'] } }, access).expect(200);
      expect(await stored(handle)).toEqual({ prefs: { theme: 'light' }, tags: ['c'], someKey: 'someValue' });

      expect(await sessions.mergeIntoAccessTokenPayload(handle, { prefs: { lang: 'fr' } })).toBe(true);
      expect(await stored(handle)).toEqual({ prefs: { lang: 'fr' }, tags: ['c'], someKey: 'someValue' });
    });

    it('only a top-level null removes a key: a null inside an object value is stored as a value, online and offline', async () => {
      const { handle, access } = await c().login({ payload: { prefs: { theme: 'dark' } } });

      const res = await c().post('/merge', { update: { prefs: { theme: null, lang: 'en' } } }, access).expect(200);
      expect(customClaimsOfToken(res.headers['st-access-token'])).toEqual({ prefs: { theme: null, lang: 'en' }, someKey: 'someValue' });

      expect(await sessions.mergeIntoAccessTokenPayload(handle, { audit: { by: 'admin', reason: null } })).toBe(true);
      expect(await stored(handle)).toEqual({ prefs: { theme: null, lang: 'en' }, audit: { by: 'admin', reason: null }, someKey: 'someValue' });
    });

    it('offline merges of unknown or revoked sessions answer false / 0 and create nothing', async () => {
      expect(await sessions.mergeIntoAccessTokenPayload('00000000-0000-4000-8000-000000000000', { a: 1 })).toBe(false);
      const { handle } = await c().login({ userId: 'soon-revoked' });
      expect(await sessions.revokeSession(handle)).toBe(true);
      expect(await sessions.mergeIntoAccessTokenPayload(handle, { a: 1 })).toBe(false);
      expect(await sessions.mergeIntoAccessTokenPayloadForUser('soon-revoked', { a: 1 })).toBe(0);
      expect(await sessions.getSessionInformation(handle)).toBeUndefined();
    });
  });

  describe.each(TRANSFER_MODES)('an online merge made with a token issued before an offline merge (%s mode)', (mode) => {
    it('keeps both keys, in the response token and in the database', async () => {
      const c = new SessionClient(app, mode);
      const { handle, access: oldToken } = await c.login({ userId: `late-${mode}` });
      expect(await sessions.mergeIntoAccessTokenPayload(handle, { offlineKey: 'written offline' })).toBe(true);

      const res = await c.post('/merge', { update: { onlineKey: 'written online' } }, oldToken).expect(200);

      const both = { someKey: 'someValue', offlineKey: 'written offline', onlineKey: 'written online' };
      expect(customClaimsOfToken(c.tokensOf(res).access!)).toEqual(both);
      expect(await stored(handle)).toEqual(both);
    });

    it("also through the seed's POST /updateinfo", async () => {
      const c = new SessionClient(app, mode);
      const { handle, access: oldToken } = await c.login({ userId: `late-seed-${mode}` });
      expect(await sessions.mergeIntoAccessTokenPayloadForUser(`late-seed-${mode}`, { role: 'admin' })).toBe(1);

      const res = await c.post('/updateinfo', undefined, oldToken).expect(201);

      const both = { someKey: 'someValue', role: 'admin', newKey: 'newValue' };
      expect(customClaimsOfToken(c.tokensOf(res).access!)).toEqual(both);
      expect(await stored(handle)).toEqual(both);
    });
  });

  describe('protected keys', () => {
    const c = () => new SessionClient(app, 'header');

    it.each(PROTECTED_PAYLOAD_KEYS)('online merge of "%s" is refused with an error naming it; nothing is written or re-issued', async (key) => {
      const { handle, access } = await c().login({ payload: { keep: 1 } });

      const res = await c().post('/merge', { update: { harmless: true, [key]: 'forged' } }, access).expect(400);

      expect(res.body).toEqual({ key, message: protectedKeyMessage(key) });
      expect(res.headers['st-access-token']).toBeUndefined();
      expect(res.headers['front-token']).toBeUndefined();
      expect(await stored(handle)).toEqual({ keep: 1, someKey: 'someValue' });
    });

    it.each(PROTECTED_PAYLOAD_KEYS)('offline merges of "%s" (one session or all of a user’s) are refused; nothing is written', async (key) => {
      const userId = `offline-protected-${key}`;
      const { handle } = await c().login({ userId, payload: { keep: 1 } });

      await expect(sessions.mergeIntoAccessTokenPayload(handle, { harmless: true, [key]: 'forged' })).rejects.toThrow(
        new ProtectedPayloadKeyError(key),
      );
      await expect(sessions.mergeIntoAccessTokenPayload(handle, { [key]: 'forged' })).rejects.toBeInstanceOf(ProtectedPayloadKeyError);
      await expect(sessions.mergeIntoAccessTokenPayloadForUser(userId, { harmless: true, [key]: 'forged' })).rejects.toThrow(
        protectedKeyMessage(key),
      );
      expect(await stored(handle)).toEqual({ keep: 1, someKey: 'someValue' });
    });

    it.each(PROTECTED_PAYLOAD_KEYS)('createNewSession with "%s" in the payload is refused and creates no session', async (key) => {
      const userId = `create-protected-${key}`;
      await expect(sessions.createNewSessionWithoutRequestResponse('public', userId, { [key]: 'forged' })).rejects.toThrow(
        new ProtectedPayloadKeyError(key),
      );
      expect(await sessions.getAllSessionHandlesForUser(userId)).toEqual([]);
    });

    it('a sign-in route passing a protected key gets the error and sends no tokens', async () => {
      const res = await request(app.getHttpServer()).post('/login').send({ userId: 'forger', payload: { sub: 'someone-else' } }).expect(400);

      expect(res.body).toEqual({ key: 'sub', message: protectedKeyMessage('sub') });
      expect(res.headers['st-access-token']).toBeUndefined();
      expect(res.headers['st-refresh-token']).toBeUndefined();
      expect(res.headers['front-token']).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(await sessions.getAllSessionHandlesForUser('forger')).toEqual([]);
      expect(await sessions.getAllSessionHandlesForUser('someone-else')).toEqual([]);
    });

    it('{ protectedKey: null } in a merge is ignored, online and offline; the other keys are merged', async () => {
      const { handle, access } = await c().login({ userId: 'nuller' });

      const res = await c().post('/merge', { update: { sub: null, exp: null, sessionHandle: null, online: 1 } }, access).expect(200);
      const after = jwtPayload(res.headers['st-access-token']);
      expect(after).toEqual(expect.objectContaining({ sub: 'nuller', exp: jwtPayload(access).exp, sessionHandle: handle, online: 1 }));

      expect(await sessions.mergeIntoAccessTokenPayload(handle, { tId: null, offline: 2 })).toBe(true);
      expect(await stored(handle)).toEqual({ someKey: 'someValue', online: 1, offline: 2 });
    });

    it('legacy replace accepts the session’s own protected values (the seed’s read-modify-write form) but refuses a different value', async () => {
      const { handle, access } = await c().login({ userId: 'legacy', payload: { keep: 1 } });
      const current = jwtPayload(access);

      const sameValues = await c().post('/replace', { payload: { ...current, role: 'editor' } }, access).expect(200);
      expect(customClaimsOfToken(sameValues.headers['st-access-token'])).toEqual({ keep: 1, someKey: 'someValue', role: 'editor' });
      expect(jwtPayload(sameValues.headers['st-access-token']).sub).toBe('legacy');

      const forged = await c().post('/replace', { payload: { role: 'admin', sub: 'someone-else' } }, access).expect(400);
      expect(forged.body).toEqual({ key: 'sub', message: protectedKeyMessage('sub') });
      expect(forged.headers['st-access-token']).toBeUndefined();
      expect(await stored(handle)).toEqual({ keep: 1, someKey: 'someValue', role: 'editor' });
    });
  });
});
