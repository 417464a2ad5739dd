import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { type CreateNewSessionInput, SessionService } from '../../src';
import { payloadApp } from '../fixtures/payload.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient, TRANSFER_MODES } from '../support/session-client';
import { decodeFrontToken, jwtPayload, setCookies } from '../support/tokens';

/**
 * Session data is private: it lives in the database, is never sent to the client, and is read
 * and replaced online and offline (seed "Storing session data"); createNewSession copies its
 * inputs (`null`/`undefined` become `{}`).
 */

const SECRET = 'vault-code-4711';

/** Everything a client can see in a response: headers, cookies, body, and the decoded tokens. */
function whatTheClientSees(res: Response): string {
  const seen: unknown[] = [res.headers, res.text, setCookies(res)];
  const jwtLike = /^[\w-]+\.[\w-]+\.[\w-]+$/;
  for (const value of [...Object.values(res.headers).flat(), ...setCookies(res).map((c) => c.value)]) {
    if (typeof value !== 'string' || !jwtLike.test(value)) continue;
    try {
      seen.push(jwtPayload(value));
    } catch {
      // Three dot-separated parts but not a JWT (the refresh token): it is already in `seen` as is.
    }
  }
  if (typeof res.headers['front-token'] === 'string' && res.headers['front-token'] !== 'remove') seen.push(decodeFrontToken(res.headers['front-token']));
  return JSON.stringify(seen);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe.each(PLATFORMS)('session data in the database (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    app = await createTestApp(platform, payloadApp());
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());

  describe.each(TRANSFER_MODES)('in %s mode', (mode) => {
    it('is never sent to the client: not in any header, cookie, body or token of sign-in and refresh', async () => {
      const c = new SessionClient(app, mode);
      const login = await c.login({ userId: `private-${mode}`, data: { secret: SECRET, card: { last4: SECRET } } });
      expect(whatTheClientSees(login.res)).not.toContain(SECRET);
      // The check itself sees the payload (so a leak would show).
      expect(whatTheClientSees(login.res)).toContain('someValue');

      const refreshed = await c.refreshSession(login.refresh).expect(200);
      expect(whatTheClientSees(refreshed)).not.toContain(SECRET);
      expect(whatTheClientSees(refreshed)).toContain('someValue');

      expect((await sessions.getSessionInformation(login.handle))?.sessionDataInDatabase).toEqual({ secret: SECRET, card: { last4: SECRET } });
    });

    it('online: getSessionDataFromDatabase reads it, updateSessionDataInDatabase replaces it whole, and the token is not touched', async () => {
      const c = new SessionClient(app, mode);
      const { handle, access } = await c.login({ userId: `online-data-${mode}`, data: { cart: ['apple'], visits: 1 } });

      expect((await c.get('/session-data', access).expect(200)).body).toEqual({ data: { cart: ['apple'], visits: 1 } });

      const put = await c.put('/session-data', { data: { cart: ['pear', 'fig'] } }, access).expect(200);
      expect(put.body).toEqual({ updated: true });
      expect(put.headers['front-token']).toBeUndefined();
      expect(c.tokensOf(put).access).toBeUndefined();

      expect((await c.get('/session-data', access).expect(200)).body).toEqual({ data: { cart: ['pear', 'fig'] } });
      expect((await sessions.getSessionInformation(handle))?.sessionDataInDatabase).toEqual({ cart: ['pear', 'fig'] });
    });
  });

  describe('offline', () => {
    it('updateSessionDataInDatabase(handle, data) replaces it; the user reads the new data on the next request', async () => {
      const c = new SessionClient(app, 'header');
      const { handle, access } = await c.login({ userId: 'offline-data', data: { step: 1, draft: 'x' } });

      expect(await sessions.updateSessionDataInDatabase(handle, { step: 2 })).toBe(true);

      expect((await sessions.getSessionInformation(handle))?.sessionDataInDatabase).toEqual({ step: 2 });
      expect((await c.get('/session-data', access).expect(200)).body).toEqual({ data: { step: 2 } });
      // Data and payload are separate: the payload is unchanged.
      expect((await sessions.getSessionInformation(handle))?.customClaimsInAccessTokenPayload).toEqual({ someKey: 'someValue' });
    });

    it('answers false for unknown and revoked sessions', async () => {
      expect(await sessions.updateSessionDataInDatabase('00000000-0000-4000-8000-000000000000', { a: 1 })).toBe(false);
      const { handle } = await new SessionClient(app, 'header').login({ userId: 'revoked-data' });
      expect(await sessions.revokeSession(handle)).toBe(true);
      expect(await sessions.updateSessionDataInDatabase(handle, { a: 1 })).toBe(false);
    });

    it('null data offline becomes {}', async () => {
      const { handle } = await new SessionClient(app, 'header').login({ userId: 'null-data', data: { a: 1 } });
      expect(await sessions.updateSessionDataInDatabase(handle, null as never)).toBe(true);
      expect((await sessions.getSessionInformation(handle))?.sessionDataInDatabase).toEqual({});
    });
  });

  describe('createNewSession inputs', () => {
    it('null and undefined payload and data become {} (over HTTP and without a request)', async () => {
      const c = new SessionClient(app, 'header');
      const withNull = await c.login({ userId: 'nulls', payload: null, data: null });
      const withNothing = await c.login({ userId: 'nothing' });
      const direct = await sessions.createNewSessionWithoutRequestResponse('public', 'direct-nulls', null, null);
      const directUndefined = await sessions.createNewSessionWithoutRequestResponse('public', 'direct-undefined');

      for (const handle of [withNull.handle, withNothing.handle, direct.getHandle(), directUndefined.getHandle()]) {
        const info = await sessions.getSessionInformation(handle);
        // `someKey` is the seed's createNewSession override, which sees `{}` as its input.
        expect(info?.customClaimsInAccessTokenPayload).toEqual({ someKey: 'someValue' });
        expect(info?.sessionDataInDatabase).toEqual({});
      }
      expect((await c.get('/session-data', withNull.access).expect(200)).body).toEqual({ data: {} });
    });

    it("the caller's payload and data objects come back unchanged from createNewSession", async () => {
      const payload = { customClaim: 'mine', nested: { list: [1] } };
      const data = { secret: 'mine', nested: { list: [2] } };
      const res = await request(app.getHttpServer()).post('/login-and-show-inputs').send({ payload, data }).expect(201);
      expect(res.body.payloadAfter).toEqual(payload);
      expect(res.body.dataAfter).toEqual(data);
      const info = await sessions.getSessionInformation(res.body.sessionHandle);
      expect(info?.customClaimsInAccessTokenPayload).toEqual({ ...payload, someKey: 'someValue' });
    });
  });

  it("an override that edits the input in place (the seed's Python form) never reaches the caller's objects", async () => {
    // The Python tab of the seed mutates the dict it is given: `access_token_payload["someKey"] = 'someValue'`.
    const inPlace = (input: CreateNewSessionInput) => {
      input.accessTokenPayload['someKey'] = 'someValue';
      (input.accessTokenPayload.tags as string[]).push('from-override');
      (input.sessionDataInDatabase.audit as Record<string, unknown>).seenBy = 'override';
    };
    const other = await createTestApp(platform, payloadApp({ createNewSession: inPlace }));
    try {
      const payload = deepFreeze({ tags: ['caller'] });
      const data = deepFreeze({ audit: { createdBy: 'caller' } });

      const session = await other.get(SessionService).createNewSessionWithoutRequestResponse('public', 'in-place', payload, data);

      expect(payload).toEqual({ tags: ['caller'] });
      expect(data).toEqual({ audit: { createdBy: 'caller' } });
      const info = await other.get(SessionService).getSessionInformation(session.getHandle());
      expect(info?.customClaimsInAccessTokenPayload).toEqual({ tags: ['caller', 'from-override'], someKey: 'someValue' });
      expect(info?.sessionDataInDatabase).toEqual({ audit: { createdBy: 'caller', seenBy: 'override' } });
    } finally {
      await other.close();
    }
  });
});
