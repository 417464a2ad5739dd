import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { InvalidJsonValueError, MAX_JSON_DEPTH, type JSONObject, SessionService } from '../../../src';
import { hardeningApp, NoteClaim } from '../../fixtures/hardening.app';
import { testDatabaseKind } from '../../support/database';
import { createTestApp, PLATFORMS } from '../../support/platforms';
import { expectNoNewAccessToken, SessionClient } from '../../support/session-client';

/**
 * Issue 9 item 3 — JSON the databases refuse never reaches them. Every payload and session-data
 * write (creation, online/offline/per-user merges, legacy replace, claim values, session data) is
 * checked at the library boundary, with the same limits on SQLite, PostgreSQL and MariaDB:
 * nesting at most MAX_JSON_DEPTH (20) levels, strings and keys well-formed UTF-16 without U+0000,
 * finite numbers. A refused write is `InvalidJsonValueError` (400 JSON over HTTP), stores nothing,
 * never a 500, and leaves the session writable (no poisoned session, no poisoned user).
 */

/** An object nested `levels` deep, the object itself being level 1. */
function deep(levels: number, viaArrays = false): JSONObject {
  let inner: unknown = 'leaf';
  for (let i = 1; i < levels; i++) inner = viaArrays ? [inner] : { n: inner };
  return { n: inner } as JSONObject;
}

/** Values every database would store differently or not at all, with what is wrong. */
const BAD_VALUES: [string, JSONObject][] = [
  ['a lone high surrogate in a value', { s: 'a\uD800b' }],
  ['a lone low surrogate in a value', { s: '\uDC00' }],
  ['U+0000 in a value', { s: 'nul\u0000here' }],
  ['a lone surrogate in a key', { 'k\uD83D': 1 }],
  ['U+0000 in a key', { 'k\u0000': 1 }],
  ['U+0000 in a nested array', { a: [1, ['x\u0000']] }],
  [`depth ${MAX_JSON_DEPTH + 1} (objects)`, deep(MAX_JSON_DEPTH + 1)],
  ['depth 31 (objects)', deep(31)],
  ['depth 32 (arrays)', deep(32, true)],
  ['depth 1001', deep(1001)],
];

/** Only the programmatic API can carry these (JSON has no form for them). */
const NON_JSON_VALUES: [string, JSONObject][] = [
  ['NaN', { n: NaN }],
  ['Infinity', { n: Infinity }],
  ['-Infinity nested', { a: { b: [-Infinity] } }],
  ['a function', { f: (() => 1) as never }],
  ['a bigint', { b: BigInt(1) as never }],
  ['a Date', { d: new Date(0) as never }],
];

/** Values at the edge of the rules that every database stores and gives back unchanged. */
const GOOD_VALUES: [string, JSONObject][] = [
  [`depth ${MAX_JSON_DEPTH} (objects)`, deep(MAX_JSON_DEPTH)],
  [`depth ${MAX_JSON_DEPTH} (arrays)`, deep(MAX_JSON_DEPTH, true)],
  ['surrogate pairs (emoji) and other non-ASCII', { s: 'héllo 😀 𝄞 日本', '键😀': 'v' }],
  ['huge and tiny finite numbers', { max: Number.MAX_VALUE, safe: Number.MAX_SAFE_INTEGER, neg: -1e300, small: 0.000001 }],
  ['prototype-looking keys (other than __proto__, which the payload layer drops)', { constructor: { name: 'x' }, toString: 'x', hasOwnProperty: [1] }],
];

describe(`storable JSON (${testDatabaseKind()})`, () => {
  describe.each(PLATFORMS)('%s', (platform) => {
    let app: INestApplication;
    let sessions: SessionService;
    beforeAll(async () => {
      app = await createTestApp(platform, hardeningApp());
      sessions = app.get(SessionService);
    });
    afterAll(() => app.close());

    async function info(handle: string) {
      const found = (await sessions.getSessionInformation(handle))!;
      return { payload: found.customClaimsInAccessTokenPayload, data: found.sessionDataInDatabase };
    }

    function expectRefused(res: Response): void {
      expect([res.status, res.body.error]).toEqual([400, 'InvalidJsonValueError']);
      expectNoNewAccessToken(res);
    }

    /** After a refused write, the session still takes writes, verifies and refreshes (nothing poisoned). */
    async function expectHealthy(client: SessionClient): Promise<void> {
      expect((await client.post('/merge', { update: { after: 'ok' } })).status).toBe(201);
      expect((await client.put('/data', { data: { after: 'ok' } })).status).toBe(200);
      expect(await sessions.mergeIntoAccessTokenPayload(client.handle!, { offline: 'ok' })).toBe(true);
      expect(await sessions.mergeIntoAccessTokenPayloadForUser((await sessions.getSessionInformation(client.handle!))!.userId, { perUser: 'ok' })).toBe(1);
      expect((await client.get('/strict')).status).toBe(200);
      expect((await client.refreshSession()).status).toBe(200);
      expect((await client.get('/me')).body.payload).toMatchObject({ keep: 1, after: 'ok', offline: 'ok', perUser: 'ok' });
    }

    describe.each(BAD_VALUES)('%s', (label, bad) => {
      const userId = `bad-${label.replace(/[^a-z0-9]/gi, '')}-${platform}`;

      it('is refused at sign-in (payload or session data): 400, no session', async () => {
        for (const body of [{ payload: bad }, { data: bad }]) {
          const res = await request(app.getHttpServer()).post('/login').send({ userId, ...body });
          expectRefused(res);
        }
        expect(await sessions.getAllSessionHandlesForUser(userId)).toEqual([]);
      });

      it('is refused by every write of a session (online and offline), nothing stored, the session stays healthy', async () => {
        const client = new SessionClient(app, 'header');
        await client.login({ userId, payload: { keep: 1 }, data: { keep: 1 } });
        const before = await info(client.handle!);

        expectRefused(await client.post('/merge', { update: bad }));
        expectRefused(await client.put('/payload', { payload: { keep: 1, ...bad } }));
        expectRefused(await client.put('/data', { data: bad }));
        const first = Object.values(bad)[0];
        if (typeof first === 'string') expectRefused(await client.post('/claim', { value: first }));

        await expect(sessions.mergeIntoAccessTokenPayload(client.handle!, bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
        await expect(sessions.mergeIntoAccessTokenPayloadForUser(userId, bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
        await expect(sessions.updateSessionDataInDatabase(client.handle!, bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
        if (typeof first === 'string') await expect(sessions.setClaimValue(client.handle!, NoteClaim, first)).rejects.toBeInstanceOf(InvalidJsonValueError);

        expect(await info(client.handle!)).toEqual(before);
        await expectHealthy(client);
      });
    });

    it.each(NON_JSON_VALUES)('%s is refused by the programmatic API (creation, merges, session data), nothing stored', async (label, bad) => {
      const userId = `nonjson-${label.replace(/[^a-z0-9]/gi, '')}-${platform}`;
      await expect(sessions.createNewSessionWithoutRequestResponse('public', userId, bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
      await expect(sessions.createNewSessionWithoutRequestResponse('public', userId, {}, bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
      expect(await sessions.getAllSessionHandlesForUser(userId)).toEqual([]);

      const session = await sessions.createNewSessionWithoutRequestResponse<JSONObject>('public', userId, { keep: 1 });
      await expect(session.mergeIntoAccessTokenPayload(bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
      await expect(session.updateAccessTokenPayload(bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
      await expect(session.updateSessionDataInDatabase(bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
      await expect(sessions.mergeIntoAccessTokenPayload(session.getHandle(), bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
      await expect(sessions.mergeIntoAccessTokenPayloadForUser(userId, bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
      await expect(sessions.updateSessionDataInDatabase(session.getHandle(), bad)).rejects.toBeInstanceOf(InvalidJsonValueError);
      expect(await info(session.getHandle())).toEqual({ payload: { keep: 1 }, data: {} });
    });

    it('a circular value is refused, not a stack overflow', async () => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      await expect(sessions.createNewSessionWithoutRequestResponse('public', 'circular', loop as JSONObject)).rejects.toBeInstanceOf(InvalidJsonValueError);
    });

    it('the error names where, never echoes the value', async () => {
      const res = await request(app.getHttpServer()).post('/login').send({ userId: 'where', data: { secret: { inner: 'private\u0000value' } } });
      expect(res.body).toMatchObject({ error: 'InvalidJsonValueError', path: '$.secret.inner' });
      expect(JSON.stringify(res.body)).not.toContain('private');
    });

    it.each(GOOD_VALUES)('%s is stored by every write and comes back unchanged', async (label, good) => {
      const userId = `good-${label.replace(/[^a-z0-9]/gi, '')}-${platform}`;
      const session = await sessions.createNewSessionWithoutRequestResponse('public', userId, good, good);
      expect(await info(session.getHandle())).toEqual({ payload: good, data: good });

      const client = new SessionClient(app, 'header');
      await client.login({ userId, payload: { keep: 1 } });
      expect((await client.post('/merge', { update: good })).status).toBe(201);
      expect((await client.put('/data', { data: good })).status).toBe(200);
      expect(await sessions.mergeIntoAccessTokenPayload(client.handle!, good)).toBe(true);
      expect(await sessions.mergeIntoAccessTokenPayloadForUser(userId, good)).toBe(2);
      expect(await info(client.handle!)).toEqual({ payload: { keep: 1, ...good }, data: good });
      expect((await client.refreshSession()).status).toBe(200);
      expect((await client.get('/strict')).status).toBe(200);
    });
  });
});
