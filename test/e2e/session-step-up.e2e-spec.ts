import type { INestApplication } from '@nestjs/common';
import { FreshAuthClaim, SessionService } from '../../src';
import { TestClock } from '../../src/testing';
import { sessionManagementApp } from '../fixtures/session-management.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { customClaims, expectNewAccessToken, SessionClient, TRANSFER_MODES } from '../support/session-client';

/**
 * Rule: with `recordAuthTime`, a session carries the time of its last real authentication
 * (`st-auth`); `@RequireFreshAuth(300)` answers the standard 403 `invalid claim` once it is older
 * than 300 s; a refresh never renews it; `session.markFreshAuth()` (after a re-auth) does.
 */
describe.each(PLATFORMS)('step-up freshness (%s)', (platform) => {
  let app: INestApplication;
  let clock: TestClock;

  beforeAll(async () => {
    clock = new TestClock();
    app = await createTestApp(platform, sessionManagementApp({ clock, recordAuthTime: true, accessTokenValidity: 3600 }));
  });
  afterAll(() => app.close());

  describe.each(TRANSFER_MODES)('%s mode', (mode) => {
    it('403 invalid claim after 300 s; refresh does not renew; re-auth does', async () => {
      const client = new SessionClient(app, mode);
      const signedInAt = clock.now();
      await client.login({ userId: `step-up-${mode}` });
      expect(customClaims(client.payload)['st-auth']).toEqual({ v: signedInAt, t: signedInAt });
      await client.get('/sensitive').expect(200);

      clock.advance(300);
      await client.get('/sensitive').expect(200);
      clock.advance(1);
      const stale = await client.get('/sensitive').expect(403);
      expect(stale.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: 'st-auth', reason: { message: 'authentication is too old', ageInSeconds: 301, maxAgeInSeconds: 300 } }],
      });

      // A refresh is not an authentication: the new token carries the same time.
      await client.refreshSession().expect(200);
      expect(customClaims(client.payload)['st-auth']).toEqual({ v: signedInAt, t: signedInAt });
      await client.get('/sensitive').expect(403);

      const reauthAt = clock.now();
      const reauth = await client.post('/reauth').expect(201);
      expect(customClaims(expectNewAccessToken(client, reauth))['st-auth']).toEqual({ v: reauthAt, t: reauthAt });
      await client.get('/sensitive').expect(200);
      // ...and the stored payload has it, so later refreshes keep it.
      await client.refreshSession().expect(200);
      await client.get('/sensitive').expect(200);
      clock.advance(301);
      await client.get('/sensitive').expect(403);
    });
  });

  it('offline: markFreshAuth(handle) renews the stored time (seen at the next refresh)', async () => {
    const client = new SessionClient(app, 'header');
    await client.login({ userId: 'offline-step-up' });
    clock.advance(400);
    await client.get('/sensitive').expect(403);
    expect(await app.get(SessionService).markFreshAuth(client.handle!)).toBe(true);
    await client.refreshSession().expect(200);
    await client.get('/sensitive').expect(200);
    expect(await app.get(SessionService).markFreshAuth('00000000-0000-4000-8000-000000000000')).toBe(false);
  });
});

describe('without recordAuthTime', () => {
  it('sessions carry no st-auth and step-up routes answer 403 "value does not exist"', async () => {
    const app = await createTestApp('express', sessionManagementApp());
    try {
      const client = new SessionClient(app, 'header');
      await client.login({ userId: 'no-auth-time' });
      expect(customClaims(client.payload)).not.toHaveProperty(FreshAuthClaim.key);
      const res = await client.get('/sensitive').expect(403);
      expect(res.body.claimValidationErrors).toEqual([{ id: 'st-auth', reason: { message: 'value does not exist', maxAgeInSeconds: 300 } }]);
    } finally {
      await app.close();
    }
  });
});
