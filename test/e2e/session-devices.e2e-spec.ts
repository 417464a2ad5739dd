import type { INestApplication } from '@nestjs/common';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { parseUserAgent, SessionService } from '../../src';
import { TestClock } from '../../src/testing';
import { sessionManagementApp } from '../fixtures/session-management.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient, TRANSFER_MODES } from '../support/session-client';

/**
 * Rule: every session records its device — created and last-refresh time, the IP and user agent
 * of its creation and of its last refresh (IPs from `request.ip`, so `X-Forwarded-For` counts
 * only behind a trusted proxy) — and `listSessionsForUser` / `session.listSessions()` return
 * them newest first, the request's own session `current: true`. `revokeOtherSessions` keeps only
 * the current session; a device handle from a client only revokes the caller's own session.
 */
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

describe.each(PLATFORMS)('session devices (%s)', (platform) => {
  describe.each(TRANSFER_MODES)('%s mode, behind a trusted proxy', (mode) => {
    let app: INestApplication;
    let clock: TestClock;

    beforeAll(async () => {
      clock = new TestClock();
      app = await createTestApp(platform, sessionManagementApp({ clock }), { trustProxy: true });
    });
    afterAll(() => app.close());

    function device(userAgent: string, forwardedFor: string): SessionClient {
      const client = new SessionClient(app, mode);
      client.headers = { 'User-Agent': userAgent, 'X-Forwarded-For': forwardedFor };
      return client;
    }

    it('lists two devices with their metadata, newest first, the caller current', async () => {
      const userId = `devices-${mode}`;
      const laptop = device(CHROME_WINDOWS, '203.0.113.5');
      const created1 = clock.now();
      await laptop.login({ userId });
      clock.advance(60);
      const phone = device(SAFARI_IPHONE, '198.51.100.7, 10.0.0.1');
      await phone.login({ userId });

      const res = await laptop.get('/devices').expect(200);
      expect(res.body).toEqual([
        expect.objectContaining({
          sessionHandle: phone.handle,
          userId,
          tenantId: 'public',
          timeCreated: created1 + 60_000,
          lastRefreshedAt: created1 + 60_000,
          // The left-most address is the client; the proxy chain behind it is trusted.
          createdIp: '198.51.100.7',
          lastIp: '198.51.100.7',
          createdUserAgent: SAFARI_IPHONE,
          lastUserAgent: SAFARI_IPHONE,
          device: { browser: 'Safari 17', os: 'iOS', type: 'mobile', label: 'Safari 17 on iOS' },
          current: false,
        }),
        expect.objectContaining({
          sessionHandle: laptop.handle,
          timeCreated: created1,
          createdIp: '203.0.113.5',
          createdUserAgent: CHROME_WINDOWS,
          device: { browser: 'Chrome 120', os: 'Windows', type: 'desktop', label: 'Chrome 120 on Windows' },
          current: true,
        }),
      ]);
      const fromPhone = await phone.get('/devices').expect(200);
      expect(fromPhone.body.map((d: { current: boolean }) => d.current)).toEqual([true, false]);
    });

    it('a refresh records its time, IP and user agent; the creation values stay', async () => {
      const userId = `refreshing-${mode}`;
      const laptop = device(CHROME_WINDOWS, '203.0.113.5');
      const createdAt = clock.now();
      await laptop.login({ userId });
      clock.advance(120);
      laptop.headers = { 'User-Agent': FIREFOX_LINUX, 'X-Forwarded-For': '192.0.2.44' };
      await laptop.refreshSession().expect(200);

      const [entry] = (await request(app.getHttpServer()).get('/admin/devices').query({ userId }).expect(200)).body;
      expect(entry).toEqual(
        expect.objectContaining({
          timeCreated: createdAt,
          lastRefreshedAt: createdAt + 120_000,
          createdIp: '203.0.113.5',
          createdUserAgent: CHROME_WINDOWS,
          lastIp: '192.0.2.44',
          lastUserAgent: FIREFOX_LINUX,
          device: expect.objectContaining({ label: 'Firefox 121 on Linux' }),
          current: false,
        }),
      );
    });

    it('revokeOtherSessions keeps only the current session (of this user only)', async () => {
      const userId = `others-${mode}`;
      const [a, b, c] = [device(CHROME_WINDOWS, '203.0.113.1'), device(SAFARI_IPHONE, '203.0.113.2'), device(FIREFOX_LINUX, '203.0.113.3')];
      for (const client of [a, b, c]) await client.login({ userId });
      const stranger = device(CHROME_WINDOWS, '203.0.113.9');
      await stranger.login({ userId: `${userId}-stranger` });

      const res = await b.post('/devices/revoke-others').expect(201);
      expect(new Set(res.body.revoked)).toEqual(new Set([a.handle, c.handle]));
      expect((await b.get('/devices').expect(200)).body.map((d: { sessionHandle: string }) => d.sessionHandle)).toEqual([b.handle]);
      await a.get('/strict').expect(401);
      await c.refreshSession().expect(401);
      await b.get('/strict').expect(200);
      await stranger.get('/strict').expect(200);
    });

    it('a device handle from the client revokes only the caller\'s own session', async () => {
      const userId = `own-${mode}`;
      const mine = device(CHROME_WINDOWS, '203.0.113.1');
      const myPhone = device(SAFARI_IPHONE, '203.0.113.2');
      const other = device(FIREFOX_LINUX, '203.0.113.3');
      await mine.login({ userId });
      await myPhone.login({ userId });
      await other.login({ userId: `${userId}-other` });

      expect((await mine.post(`/devices/${other.handle}/revoke`).expect(201)).body).toEqual({ revoked: false });
      await other.get('/strict').expect(200);
      expect((await mine.post(`/devices/${myPhone.handle}/revoke`).expect(201)).body).toEqual({ revoked: true });
      await myPhone.get('/strict').expect(401);
      await mine.get('/strict').expect(200);
    });

    it('a password change signs out the other device and keeps this one', async () => {
      const userId = `password-${mode}`;
      const laptop = device(CHROME_WINDOWS, '203.0.113.1');
      const phone = device(SAFARI_IPHONE, '203.0.113.2');
      await laptop.login({ userId });
      await phone.login({ userId });
      expect((await laptop.post('/password').expect(201)).body).toEqual({ revoked: [phone.handle] });
      await phone.refreshSession().expect(401);
      await laptop.refreshSession().expect(200);
      expect(await app.get(SessionService).getAllSessionHandlesForUser(userId)).toEqual([laptop.handle]);
    });
  });

  it('without a trusted proxy, X-Forwarded-For is ignored', async () => {
    const app = await createTestApp(platform, sessionManagementApp());
    try {
      const client = new SessionClient(app, 'header');
      client.headers = { 'User-Agent': CHROME_WINDOWS, 'X-Forwarded-For': '203.0.113.5' };
      await client.login({ userId: 'direct' });
      const [entry] = (await client.get('/devices').expect(200)).body;
      expect(entry.createdIp).not.toEqual('203.0.113.5');
      expect(entry.createdIp).toMatch(/^(127\.0\.0\.1|::1)$/);
    } finally {
      await app.close();
    }
  });

  it.each([
    ['hashed with a secret', { ipAddress: 'hashed' as const, ipHashSecret: 's3cret' }],
    ['off, without user agents', { ipAddress: 'off' as const, userAgent: false }],
  ])('deviceMetadata: IPs %s', async (_name, deviceMetadata) => {
    const app = await createTestApp(platform, sessionManagementApp({ deviceMetadata }), { trustProxy: true });
    try {
      const client = new SessionClient(app, 'header');
      client.headers = { 'User-Agent': CHROME_WINDOWS, 'X-Forwarded-For': '203.0.113.5' };
      await client.login({ userId: 'private' });
      const [entry] = (await client.get('/devices').expect(200)).body;
      if (deviceMetadata.ipAddress === 'hashed') {
        const { createHmac } = await import('node:crypto');
        expect(entry.createdIp).toEqual(createHmac('sha256', 's3cret').update('203.0.113.5').digest('hex'));
        expect(entry.createdIp).not.toEqual(createHash('sha256').update('203.0.113.5').digest('hex'));
        expect(entry.createdUserAgent).toEqual(CHROME_WINDOWS);
      } else {
        expect(entry).toEqual(expect.objectContaining({ createdIp: null, lastIp: null, createdUserAgent: null, lastUserAgent: null }));
        expect(entry.device.label).toEqual('Unknown device');
      }
    } finally {
      await app.close();
    }
  });
});

describe('parseUserAgent', () => {
  it.each([
    [CHROME_WINDOWS, 'Chrome 120 on Windows', 'desktop'],
    [SAFARI_IPHONE, 'Safari 17 on iOS', 'mobile'],
    [FIREFOX_LINUX, 'Firefox 121 on Linux', 'desktop'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15', 'Safari 17 on macOS', 'desktop'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91', 'Edge 120 on Windows', 'desktop'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36', 'Chrome 120 on Android 14', 'mobile'],
    ['Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1', 'Chrome 120 on iOS', 'tablet'],
    ['curl/8.4.0', 'curl 8 on Unknown OS', 'unknown'],
    ['Googlebot/2.1 (+http://www.google.com/bot.html)', 'Unknown browser on Unknown OS', 'bot'],
  ])('%s → %s', (ua, label, type) => {
    expect(parseUserAgent(ua)).toEqual(expect.objectContaining({ label, type }));
  });
});
