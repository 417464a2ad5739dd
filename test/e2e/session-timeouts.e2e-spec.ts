import type { INestApplication } from '@nestjs/common';
import { SessionService } from '../../src';
import { TestClock } from '../../src/testing';
import { sessionManagementApp } from '../fixtures/session-management.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient, TRANSFER_MODES } from '../support/session-client';
import { setCookie } from '../support/tokens';

/**
 * Rule: `refreshTokenValidity` is the idle timeout (each refresh slides it) and
 * `absoluteSessionLifetime` caps a session from its creation: a session refreshed continuously
 * still ends there (at refresh and on `checkDatabase` routes), its access tokens never outlive
 * it, and `getSessionInformation` shows both limits. Driven by the module's `clock` option.
 */
const ACCESS = 60;
const IDLE = 300;
const ABSOLUTE = 600;

describe.each(PLATFORMS)('idle and absolute timeouts (%s)', (platform) => {
  let app: INestApplication;
  let clock: TestClock;

  beforeAll(async () => {
    clock = new TestClock();
    app = await createTestApp(platform, sessionManagementApp({ clock, accessTokenValidity: ACCESS, refreshTokenValidity: IDLE, absoluteSessionLifetime: ABSOLUTE }));
  });
  afterAll(() => app.close());

  describe.each(TRANSFER_MODES)('%s mode', (mode) => {
    it('a session refreshed every 100 s still ends at the absolute lifetime', async () => {
      const client = new SessionClient(app, mode);
      const createdAt = clock.now();
      await client.login({ userId: `absolute-${mode}` });
      const sessions = app.get(SessionService);
      expect(await sessions.getSessionInformation(client.handle!)).toEqual(
        expect.objectContaining({ timeCreated: createdAt, idleExpiry: createdAt + IDLE * 1000, absoluteExpiry: createdAt + ABSOLUTE * 1000, expiry: createdAt + IDLE * 1000 }),
      );

      for (let elapsed = 100; elapsed < ABSOLUTE; elapsed += 100) {
        clock.advance(100);
        const res = await client.refreshSession().expect(200);
        const info = await sessions.getSessionInformation(client.handle!);
        // The idle timeout slides with each refresh; the absolute end never moves.
        expect(info).toEqual(
          expect.objectContaining({
            lastRefreshedAt: createdAt + elapsed * 1000,
            idleExpiry: createdAt + (elapsed + IDLE) * 1000,
            absoluteExpiry: createdAt + ABSOLUTE * 1000,
            expiry: Math.min(createdAt + (elapsed + IDLE) * 1000, createdAt + ABSOLUTE * 1000),
          }),
        );
        // The access token never outlives the session.
        expect(client.payload.exp * 1000).toBeLessThanOrEqual(createdAt + ABSOLUTE * 1000);
        if (mode === 'cookie') expect(new Date(String(setCookie(res, 'sRefreshToken')!.attributes.expires)).getTime()).toBeLessThanOrEqual(createdAt + ABSOLUTE * 1000);
        await client.get('/strict').expect(200);
      }
      // At 500 s the token was cut to the session's end (60 s validity would reach 560 s; it ends at 600 s).
      clock.advance(80);
      await client.refreshSession().expect(200);
      expect(client.payload.exp).toEqual(Math.floor((createdAt + ABSOLUTE * 1000) / 1000));
      await client.get('/strict').expect(200);

      clock.advance(20); // 600 s after creation
      await client.get('/strict').expect(401);
      const refused = await client.refreshSession().expect(401);
      expect(refused.body).toEqual({ message: 'unauthorised' });
      expect(await sessions.getSessionInformation(client.handle!)).toBeUndefined();
    });

    it('the idle timeout still applies: no refresh for longer than refreshTokenValidity ends the session', async () => {
      const client = new SessionClient(app, mode);
      await client.login({ userId: `idle-${mode}` });
      clock.advance(IDLE - 1);
      await client.refreshSession().expect(200);
      clock.advance(IDLE - 1);
      await client.refreshSession().expect(200);
      clock.advance(IDLE);
      await client.get('/strict').expect(401);
      await client.refreshSession().expect(401);
    });
  });
});

describe('without absoluteSessionLifetime', () => {
  it('sessions end only by the idle timeout; getSessionInformation has no absolute expiry', async () => {
    const clock = new TestClock();
    const app = await createTestApp('express', sessionManagementApp({ clock, refreshTokenValidity: IDLE }));
    try {
      const client = new SessionClient(app, 'header');
      await client.login({ userId: 'no-absolute' });
      for (let i = 0; i < 10; i++) {
        clock.advance(IDLE - 1);
        await client.refreshSession().expect(200);
      }
      expect(await app.get(SessionService).getSessionInformation(client.handle!)).toEqual(expect.objectContaining({ absoluteExpiry: undefined }));
    } finally {
      await app.close();
    }
  });
});
