import type { INestApplication } from '@nestjs/common';
import { SessionService } from '../../../src';
import { hardeningApp } from '../../fixtures/hardening.app';
import { createTestApp } from '../../support/platforms';

/**
 * Issue 9 item 9 — the cache of verified access tokens is bounded in bytes, not only in entries:
 * however many large tokens are verified (one user refreshing in a loop, many users with large
 * payloads), its estimated memory stays within `verifiedTokenCacheBytes`, visible through
 * `SessionService.getVerifiedTokenCacheStats()`. The entry bound still applies. Once full, the
 * cache admits a token only on its second verification (never-seen tokens do not churn it).
 */

const MIB = 1024 * 1024;

async function verifyMany(sessions: SessionService, count: number, payloadChars: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const session = await sessions.createNewSessionWithoutRequestResponse('public', `cache-user-${i % 7}`, { pad: 'x'.repeat(payloadChars), i });
    // A fresh, uncached token each time: creation does not cache, verification does.
    await sessions.getSessionWithoutRequestResponse(session.getAccessToken());
  }
}

describe('verified-token cache bounded in bytes', () => {
  it('the default bound is 32 MiB and 10000 entries', async () => {
    const app = await createTestApp('express', hardeningApp());
    try {
      expect(app.get(SessionService).getVerifiedTokenCacheStats()).toEqual({ entries: 0, bytes: 0, maxEntries: 10000, maxBytes: 32 * MIB });
    } finally {
      await app.close();
    }
  });

  describe('with verifiedTokenCacheBytes: 256 KiB', () => {
    let app: INestApplication;
    let sessions: SessionService;
    beforeAll(async () => {
      app = await createTestApp('express', hardeningApp({ verifiedTokenCacheBytes: 256 * 1024 }));
      sessions = app.get(SessionService);
    });
    afterAll(() => app.close());

    it('300 verified tokens of about 5 KB each (1.5 MB of tokens, far more in memory) keep it within 256 KiB', async () => {
      await verifyMany(sessions, 300, 3500);
      const stats = sessions.getVerifiedTokenCacheStats();
      expect(stats.maxBytes).toBe(256 * 1024);
      expect(stats.bytes).toBeLessThanOrEqual(256 * 1024);
      expect(stats.bytes).toBeGreaterThan(128 * 1024);
      expect(stats.entries).toBeGreaterThan(5);
      expect(stats.entries).toBeLessThan(300);
    });

    it('evicted tokens still verify (the cache changes cost, not validity)', async () => {
      const first = await sessions.createNewSessionWithoutRequestResponse('public', 'evicted', { pad: 'y'.repeat(3500) });
      await sessions.getSessionWithoutRequestResponse(first.getAccessToken());
      await verifyMany(sessions, 100, 3500);
      const again = await sessions.getSessionWithoutRequestResponse(first.getAccessToken());
      expect(again.getUserId()).toBe('evicted');
      expect(sessions.getVerifiedTokenCacheStats().bytes).toBeLessThanOrEqual(256 * 1024);
    });
  });

  it('once full, a token is cached on its second verification, not its first (a stream of never-seen tokens leaves the cache alone)', async () => {
    const app = await createTestApp('express', hardeningApp({ verifiedTokenCacheSize: 3 }));
    try {
      const sessions = app.get(SessionService);
      await verifyMany(sessions, 3, 10);
      const full = sessions.getVerifiedTokenCacheStats();
      expect(full.entries).toBe(3);
      // Never-seen tokens (bigger payloads than the cached ones): verified, not inserted, nothing evicted.
      await verifyMany(sessions, 20, 1000);
      expect(sessions.getVerifiedTokenCacheStats()).toEqual(full);
      const token = (await sessions.createNewSessionWithoutRequestResponse('public', 'twice', { pad: 'z'.repeat(1000) })).getAccessToken();
      expect((await sessions.getSessionWithoutRequestResponse(token)).getUserId()).toBe('twice');
      expect(sessions.getVerifiedTokenCacheStats()).toEqual(full);
      // Its second verification admits it in place of the oldest entry (a bigger one: more bytes).
      expect((await sessions.getSessionWithoutRequestResponse(token)).getUserId()).toBe('twice');
      const after = sessions.getVerifiedTokenCacheStats();
      expect(after.entries).toBe(3);
      expect(after.bytes).toBeGreaterThan(full.bytes);
    } finally {
      await app.close();
    }
  });

  it('verifiedTokenCacheBytes: 0 disables the cache', async () => {
    const app = await createTestApp('express', hardeningApp({ verifiedTokenCacheBytes: 0 }));
    try {
      const sessions = app.get(SessionService);
      await verifyMany(sessions, 5, 100);
      expect(sessions.getVerifiedTokenCacheStats()).toMatchObject({ entries: 0, bytes: 0 });
    } finally {
      await app.close();
    }
  });
});

/**
 * The guard's path scans an exact `Bearer <token>` header for line breaks only when verification
 * refuses the token (a cache hit is the exact string of a token that had the access-token
 * shape): a bearer with a line break must still be read as no bearer at all (the scheme regex's
 * answer), whether or not the same token without it is cached, and whichever of its parts holds
 * it (the cache is keyed by the token's last characters; base64url decoding skips a line break).
 */
describe('a bearer with a line break, its token cached', () => {
  let app: INestApplication;
  let sessions: SessionService;
  let token: string;
  let cookieToken: string;
  const getSession = (headers: Record<string, string>, options = {}) => sessions.getSession({ method: 'GET', headers }, {}, options);
  beforeAll(async () => {
    app = await createTestApp('express', hardeningApp());
    sessions = app.get(SessionService);
    token = (await sessions.createNewSessionWithoutRequestResponse('public', 'bearer-user', {})).getAccessToken();
    cookieToken = (await sessions.createNewSessionWithoutRequestResponse('public', 'cookie-user', {})).getAccessToken();
    expect((await getSession({ authorization: `Bearer ${token}` }))?.getUserId()).toBe('bearer-user');
    expect(sessions.getVerifiedTokenCacheStats().entries).toBeGreaterThan(0);
  });
  afterAll(() => app.close());

  const broken = (at: (t: string) => number, lineBreak: string) => (t: string) => `${t.slice(0, at(t))}${lineBreak}${t.slice(at(t))}`;
  const variants: [string, (t: string) => string][] = [
    ['\\n in the header segment', broken(() => 10, '\n')],
    ['\\r in the payload', broken((t) => t.indexOf('.') + 5, '\r')],
    ['\\n in the signature, inside the cache key (last 42 characters)', broken((t) => t.length - 5, '\n')],
    ['\\u2028 in the signature', broken((t) => t.length - 50, '\u2028')],
    ['\\u2029 before the last character', broken((t) => t.length - 1, '\u2029')],
  ];

  it.each(variants)('%s: no session ("session does not exist", not "try refresh token")', async (_name, alter) => {
    await expect(getSession({ authorization: `Bearer ${alter(token)}` })).rejects.toMatchObject({ type: 'UNAUTHORISED', message: 'session does not exist' });
  });

  it.each(variants)('%s: undefined with sessionRequired: false', async (_name, alter) => {
    await expect(getSession({ authorization: `Bearer ${alter(token)}` }, { sessionRequired: false })).resolves.toBeUndefined();
  });

  it.each(variants)('%s: the cookie session, when there is one', async (_name, alter) => {
    const session = await getSession({ authorization: `Bearer ${alter(token)}`, cookie: `sAccessToken=${cookieToken}` });
    expect(session?.getUserId()).toBe('cookie-user');
  });

  it('the guard answers the same: 401 without a try-refresh answer', async () => {
    const { default: inject } = await import('light-my-request');
    const handler = app.getHttpAdapter().getInstance() as never;
    for (const [, alter] of variants) {
      const response = await inject(handler, { method: 'GET', url: '/me', headers: { authorization: `Bearer ${alter(token)}` } });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ message: 'unauthorised' });
    }
    const ok = await inject(handler, { method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).toBe(200);
  });
});
