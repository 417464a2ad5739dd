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
