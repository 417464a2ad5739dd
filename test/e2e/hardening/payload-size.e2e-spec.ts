import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import type { DataSource } from 'typeorm';
import { PayloadTooLargeError, SESSION_DATA_SOURCE, SessionEntity, type SessionModuleOptions, SessionService } from '../../../src';
import { hardeningApp, NoteClaim } from '../../fixtures/hardening.app';
import { createTestApp, PLATFORMS } from '../../support/platforms';
import { expectNoNewAccessToken, SessionClient, TRANSFER_MODES, type TransferMode } from '../../support/session-client';
import { decodeFrontToken, headerTokens } from '../../support/tokens';

/**
 * Issue 9 items 2 and 8 — the access token never grows past what its transport carries:
 * - `maxAccessTokenBytes` defaults per transfer method: in cookie mode the whole `Set-Cookie`
 *   value of `sAccessToken` stays within 4095 bytes (browsers drop larger cookies), with any
 *   cookie attributes; in header mode the token stays within 7168 bytes, token + front-token
 *   within 16 KiB;
 * - a write that would pass the limit — creation, online merge, legacy replace, claim value,
 *   offline merge, per-user merge — is refused with `PayloadTooLargeError` (400 JSON over HTTP)
 *   before anything is stored: the stored payload and the client's token stay as they were, and
 *   the session keeps working (verify, checkDatabase, refresh);
 * - the per-user merge is all or nothing: one session that would grow too large refuses it for all;
 * - a payload already stored too large (an older version, a store that ignores limits) gives a
 *   clear 401 on refresh and on checkDatabase routes, never a 500.
 */

const big = (n: number) => 'x'.repeat(n);

async function stored(sessions: SessionService, handle: string) {
  return (await sessions.getSessionInformation(handle))!.customClaimsInAccessTokenPayload;
}

function expectTooLarge(res: Response): void {
  expect([res.status, res.body.error]).toEqual([400, 'PayloadTooLargeError']);
  expect(res.body.message).toMatch(/access token would/);
  expectNoNewAccessToken(res);
}

/** The raw `Set-Cookie` value of the access token in a response. */
function accessSetCookie(res: Response): string | undefined {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  return raw?.find((line) => line.startsWith('sAccessToken='));
}

describe.each(PLATFORMS)('payload size (%s)', (platform) => {
  describe.each([
    ['default cookie attributes', {}],
    ['the longest cookie attributes (Secure, Domain, SameSite=None)', { cookieSecure: true, cookieDomain: 'sessions.example-company.co.uk', cookieSameSite: 'none' }],
  ] as [string, SessionModuleOptions][])('default limits per transfer method, %s', (_label, options) => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, hardeningApp(options));
    });
    afterAll(() => app.close());

    /** Sign in with a payload of `n` padding characters; the response. */
    const login = (mode: TransferMode, n: number) =>
      request(app.getHttpServer()).post('/login').set('st-auth-mode', mode).send({ userId: `size-${mode}`, payload: { pad: big(n) } });

    /** The largest padding accepted (binary search), with its response. */
    async function largestAccepted(mode: TransferMode): Promise<{ n: number; res: Response }> {
      let low = 0;
      let high = 16 * 1024;
      let best: Response | undefined;
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        const res = await login(mode, mid);
        if (res.status === 201) {
          low = mid;
          best = res;
        } else {
          expect([res.status, res.body.error]).toEqual([400, 'PayloadTooLargeError']);
          high = mid - 1;
        }
      }
      return { n: low, res: best ?? (await login(mode, low)) };
    }

    it('cookie mode: the largest accepted token makes a Set-Cookie within 4095 bytes, one more byte is refused', async () => {
      const { n, res } = await largestAccepted('cookie');
      const line = accessSetCookie(res)!;
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4095);
      expect(Buffer.byteLength(line)).toBeGreaterThan(4000);
      const refused = await login('cookie', n + 1);
      expect([refused.status, refused.body.error]).toEqual([400, 'PayloadTooLargeError']);
      expect(accessSetCookie(refused)).toBeUndefined();
    });

    it('header mode: the largest accepted token is within 7168 bytes, and with its front-token within 16 KiB', async () => {
      const { n, res } = await largestAccepted('header');
      const { access, front } = headerTokens(res);
      expect(access.length).toBeLessThanOrEqual(7168);
      expect(access.length).toBeGreaterThan(7000);
      expect(access.length + front.length).toBeLessThan(16 * 1024);
      expect(decodeFrontToken(front).up.pad).toBe(big(n));
    });
  });

  describe('refused writes change nothing', () => {
    let app: INestApplication;
    let sessions: SessionService;
    beforeAll(async () => {
      app = await createTestApp(platform, hardeningApp());
      sessions = app.get(SessionService);
    });
    afterAll(() => app.close());

    it('creation: a payload too large for cookies is refused in cookie mode (400, no session) and accepted in header mode', async () => {
      const cookie = await request(app.getHttpServer()).post('/login').set('st-auth-mode', 'cookie').send({ userId: 'create-cookie', payload: { pad: big(3000) } });
      expectTooLarge(cookie);
      expect(await sessions.getAllSessionHandlesForUser('create-cookie')).toEqual([]);

      const header = await request(app.getHttpServer()).post('/login').set('st-auth-mode', 'header').send({ userId: 'create-header', payload: { pad: big(3000) } });
      expect(header.status).toBe(201);
      expect(headerTokens(header).access.length).toBeGreaterThan(4096);

      const huge = await request(app.getHttpServer()).post('/login').set('st-auth-mode', 'header').send({ userId: 'create-huge', payload: { pad: big(6000) } });
      expectTooLarge(huge);
      expect(await sessions.getAllSessionHandlesForUser('create-huge')).toEqual([]);
      await expect(sessions.createNewSessionWithoutRequestResponse('public', 'create-direct', { pad: big(6000) })).rejects.toBeInstanceOf(PayloadTooLargeError);
      expect(await sessions.getAllSessionHandlesForUser('create-direct')).toEqual([]);
    });

    describe.each(TRANSFER_MODES)('%s mode', (mode) => {
      const tooLarge = mode === 'cookie' ? 3000 : 6000;
      let client: SessionClient;
      beforeEach(async () => {
        client = new SessionClient(app, mode);
        await client.login({ userId: `writer-${mode}`, payload: { keep: 'me' } });
      });

      /** Nothing changed: the stored payload, the token's claims, and the session still verifies, checks the database and refreshes. */
      async function expectUnchanged(tokenBefore: string): Promise<void> {
        expect(await stored(sessions, client.handle!)).toEqual({ keep: 'me' });
        expect(client.access).toBe(tokenBefore);
        expect((await client.get('/me')).body.payload).toMatchObject({ keep: 'me' });
        expect((await client.get('/strict')).status).toBe(200);
        const refreshed = await client.refreshSession();
        expect(refreshed.status).toBe(200);
        expect((await client.get('/me')).body.payload).toMatchObject({ keep: 'me' });
      }

      it('online merge', async () => {
        const before = client.access!;
        expectTooLarge(await client.post('/merge', { update: { pad: big(tooLarge) } }));
        await expectUnchanged(before);
      });

      it('legacy replace (updateAccessTokenPayload)', async () => {
        const before = client.access!;
        expectTooLarge(await client.put('/payload', { payload: { keep: 'me', pad: big(tooLarge) } }));
        await expectUnchanged(before);
      });

      it('claim value (setClaimValue)', async () => {
        const before = client.access!;
        expectTooLarge(await client.post('/claim', { value: big(tooLarge) }));
        await expectUnchanged(before);
      });

      it('offline merge by handle (the smaller, cookie limit applies)', async () => {
        const before = client.access!;
        await expect(sessions.mergeIntoAccessTokenPayload(client.handle!, { pad: big(3000) })).rejects.toBeInstanceOf(PayloadTooLargeError);
        await expect(sessions.setClaimValue(client.handle!, NoteClaim, big(3000))).rejects.toBeInstanceOf(PayloadTooLargeError);
        await expectUnchanged(before);
      });

      it('a write that fits still works (the limit is not a ban on writes)', async () => {
        const res = await client.post('/merge', { update: { pad: big(1000) } });
        expect(res.status).toBe(201);
        expect(await stored(sessions, client.handle!)).toEqual({ keep: 'me', pad: big(1000) });
        expect(await sessions.mergeIntoAccessTokenPayload(client.handle!, { more: big(500) })).toBe(true);
      });
    });

    it('per-user merge is all or nothing: one session that would grow too large refuses it for every session', async () => {
      const userId = 'per-user-all-or-nothing';
      const heavy = await sessions.createNewSessionWithoutRequestResponse('public', userId, { pad: big(1800) });
      const light = await sessions.createNewSessionWithoutRequestResponse('public', userId, { small: 1 });

      await expect(sessions.mergeIntoAccessTokenPayloadForUser(userId, { more: big(1000) })).rejects.toBeInstanceOf(PayloadTooLargeError);
      expect(await stored(sessions, heavy.getHandle())).toEqual({ pad: big(1800) });
      expect(await stored(sessions, light.getHandle())).toEqual({ small: 1 });

      expect(await sessions.mergeIntoAccessTokenPayloadForUser(userId, { more: 'ok' })).toBe(2);
      expect(await stored(sessions, light.getHandle())).toEqual({ small: 1, more: 'ok' });
      // Every session of the user still refreshes.
      for (const s of [heavy, light]) await expect(sessions.refreshSessionWithoutRequestResponse(s.getAllSessionTokensDangerously().refreshToken!)).resolves.toBeDefined();
    });

    it.each(TRANSFER_MODES)('a payload already stored too large (%s mode): refresh and checkDatabase answer a clear 401, never a 500', async (mode) => {
      const client = new SessionClient(app, mode);
      await client.login({ userId: `oversized-${mode}` });
      // Written around the module, as an older version or a store without limits could have.
      await app
        .get<DataSource>(SESSION_DATA_SOURCE)
        .createQueryBuilder()
        .update(SessionEntity)
        .set({ accessTokenPayload: { pad: big(9000) } })
        .where('session_handle = :handle', { handle: client.handle })
        .execute();

      const strict = await client.get('/strict');
      expect([strict.status, strict.body]).toEqual([401, { message: 'unauthorised' }]);

      const refresh = await client.refreshSession();
      expect([refresh.status, refresh.body]).toEqual([401, { message: 'unauthorised' }]);
      client.expectTokensCleared(refresh);

      // An offline merge that makes it smaller is allowed, and the session works again.
      expect(await sessions.mergeIntoAccessTokenPayload(client.handle!, { pad: null })).toBe(true);
      expect((await client.refreshSession(client.refresh)).status).toBe(200);
    });
  });
});
