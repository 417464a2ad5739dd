import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { SessionService } from '../../src';
import { payloadApp } from '../fixtures/payload.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { customClaimsOfToken, SessionClient } from '../support/session-client';

/**
 * Merges are atomic, so concurrent merges of different keys never
 * lose one (SuperTokens' offline merge is a read-modify-write that does, supertokens-core #448).
 * Kept in its own file: the database matrix reruns it on PostgreSQL and MariaDB.
 */

const OFFLINE_MERGES = 200;
const ONLINE_MERGES = 50;

describe.each(PLATFORMS)('concurrent payload merges on one session (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;
  let baseUrl: string;
  beforeAll(async () => {
    // 250 keys make a token of about 7 KB: past the default limits (a cookie holds about 4 KB),
    // which are not what this test is about.
    app = await createTestApp(platform, payloadApp({ maxAccessTokenBytes: { cookie: 16384, header: 16384 } }));
    // A listening server: 50 simultaneous requests must not each make supertest start one.
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());

  it(`${OFFLINE_MERGES} offline and ${ONLINE_MERGES} online merges of distinct keys, all at once: every key is there afterwards`, async () => {
    const c = new SessionClient(baseUrl, 'header');
    const { handle, access, refresh } = await c.login({ userId: 'busy-user' });

    const offline = Array.from({ length: OFFLINE_MERGES }, (_, i) => sessions.mergeIntoAccessTokenPayload(handle, { [`offline${i}`]: i }));
    const online = Array.from({ length: ONLINE_MERGES }, (_, i) => c.post('/merge', { update: { [`online${i}`]: `value ${i}` } }, access));
    const [offlineResults, onlineResponses] = await Promise.all([Promise.all(offline), Promise.all(online)]);

    expect(offlineResults).toEqual(Array(OFFLINE_MERGES).fill(true));
    onlineResponses.forEach((res, i) => {
      expect(res.status).toBe(200);
      // Each response's token carries at least its own key, on top of what was stored before it.
      const claims = customClaimsOfToken(res.headers['st-access-token']);
      expect(claims[`online${i}`]).toBe(`value ${i}`);
      expect(claims.someKey).toBe('someValue');
    });

    const expected: Record<string, unknown> = { someKey: 'someValue' };
    for (let i = 0; i < OFFLINE_MERGES; i++) expected[`offline${i}`] = i;
    for (let i = 0; i < ONLINE_MERGES; i++) expected[`online${i}`] = `value ${i}`;

    expect((await sessions.getSessionInformation(handle))?.customClaimsInAccessTokenPayload).toEqual(expected);
    const refreshed = await c.refreshSession(refresh).expect(200);
    expect(customClaimsOfToken(c.tokensOf(refreshed).access!)).toEqual(expected);
  });
});
