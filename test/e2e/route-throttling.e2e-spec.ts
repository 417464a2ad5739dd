import type { INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import request from 'supertest';
import type { SessionModuleOptions } from '../../src';
import { sessionManagementApp } from '../fixtures/session-management.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient } from '../support/session-client';

/**
 * Rule: in an app that runs @nestjs/throttler's `ThrottlerGuard` globally, the built-in refresh
 * and signout routes are rate limited — by the app's default limits, or by their own
 * (`routeThrottle`) — and answer 429 past them; other routes keep the app's limits.
 */
function throttledApp(defaultLimit: number, options: SessionModuleOptions = {}) {
  const base = sessionManagementApp(options);
  return {
    ...base,
    imports: [...(base.imports ?? []), ThrottlerModule.forRoot([{ ttl: 60_000, limit: defaultLimit }])],
    providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
  };
}

describe.each(PLATFORMS)('refresh and signout behind @nestjs/throttler (%s)', (platform) => {
  it('routeThrottle gives refresh and signout their own limits', async () => {
    const app: INestApplication = await createTestApp(platform, throttledApp(100, { routeThrottle: { refresh: { limit: 3, ttl: 60_000 }, signout: { limit: 2, ttl: 60_000 } } }));
    try {
      const client = new SessionClient(app, 'header');
      await client.login({ userId: 'throttled' });
      for (let i = 0; i < 3; i++) await client.refreshSession().expect(200);
      const limited = await client.refreshSession().expect(429);
      expect(limited.body).toEqual(expect.objectContaining({ statusCode: 429 }));

      await request(app.getHttpServer()).post('/auth/signout').expect(200);
      await request(app.getHttpServer()).post('/auth/signout').expect(200);
      await request(app.getHttpServer()).post('/auth/signout').expect(429);
      // Other routes keep the app's default limit.
      for (let i = 0; i < 5; i++) await client.get('/devices').expect(200);
    } finally {
      await app.close();
    }
  });

  it("without routeThrottle, the app's default limit covers the refresh route", async () => {
    const app = await createTestApp(platform, throttledApp(4));
    try {
      const client = new SessionClient(app, 'header');
      await client.login({ userId: 'default-limit' });
      // The throttler counts per route and client: 4 refreshes pass, the 5th is refused.
      for (let i = 0; i < 4; i++) await client.refreshSession().expect(200);
      await client.refreshSession().expect(429);
    } finally {
      await app.close();
    }
  });
});
