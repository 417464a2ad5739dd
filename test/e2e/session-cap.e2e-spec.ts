import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SessionService, type SessionCapPolicy } from '../../src';
import { TestClock } from '../../src/testing';
import { sessionManagementApp } from '../fixtures/session-management.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient } from '../support/session-client';

/**
 * Rule: `maxSessionsPerUser` holds under concurrency on every database: 50 simultaneous sign-ins
 * of one user with a cap of 5 leave exactly 5 live sessions, whatever the policy; `deny` refuses
 * the others with a typed 409 JSON answer; the evicting policies evict the session created first
 * (`evict-oldest`) or refreshed longest ago (`evict-least-recently-refreshed`).
 */
const POLICIES: SessionCapPolicy[] = ['evict-oldest', 'evict-least-recently-refreshed', 'deny'];
const CAP = 5;

describe.each(PLATFORMS)('maxSessionsPerUser (%s)', (platform) => {
  describe.each(POLICIES)('policy %s', (policy) => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await createTestApp(platform, sessionManagementApp({ maxSessionsPerUser: CAP, sessionCapPolicy: policy }));
    });
    afterAll(() => app.close());

    it('50 concurrent sign-ins of one user leave exactly 5 sessions', async () => {
      const userId = `crowd-${policy}`;
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => request(app.getHttpServer()).post('/login').set('st-auth-mode', 'header').send({ userId })),
      );
      const statuses = responses.map((r) => r.status);
      const handles = await app.get(SessionService).getAllSessionHandlesForUser(userId);
      expect(handles).toHaveLength(CAP);
      if (policy === 'deny') {
        expect(statuses.filter((s) => s === 201)).toHaveLength(CAP);
        expect(statuses.filter((s) => s === 409)).toHaveLength(50 - CAP);
        const refused = responses.find((r) => r.status === 409)!;
        expect(refused.body).toEqual({
          statusCode: 409,
          error: 'SessionLimitReachedError',
          message: `this account already has ${CAP} sessions: sign out on another device first`,
          maxSessionsPerUser: CAP,
        });
        // A refused sign-in sends no tokens.
        expect(refused.headers['st-access-token']).toBeUndefined();
        expect(new Set(handles)).toEqual(new Set(responses.filter((r) => r.status === 201).map((r) => r.body.sessionHandle)));
      } else {
        expect(statuses.every((s) => s === 201)).toBe(true);
      }
      // Another user (and the same user in another tenant) is not affected.
      await request(app.getHttpServer()).post('/login').send({ userId: `${userId}-other` }).expect(201);
      await request(app.getHttpServer()).post('/login').send({ userId, tenantId: 'tenant-b' }).expect(201);
      expect(await app.get(SessionService).getAllSessionHandlesForUser(userId)).toHaveLength(CAP + 1);
    });
  });

  it.each([
    ['evict-oldest', 0],
    ['evict-least-recently-refreshed', 1],
  ] as const)('%s evicts the right session', async (policy, evictedIndex) => {
    const clock = new TestClock();
    const app = await createTestApp(platform, sessionManagementApp({ clock, maxSessionsPerUser: 3, sessionCapPolicy: policy }));
    try {
      const clients: SessionClient[] = [];
      for (let i = 0; i < 3; i++) {
        const client = new SessionClient(app, 'header');
        await client.login({ userId: 'ordered' });
        clients.push(client);
        clock.advance(10);
      }
      await clients[0].refreshSession().expect(200); // the oldest is now the most recently refreshed
      clock.advance(10);
      const newcomer = new SessionClient(app, 'header');
      await newcomer.login({ userId: 'ordered' });
      const evicted = clients[evictedIndex];
      const left = await app.get(SessionService).getAllSessionHandlesForUser('ordered');
      expect(left).toHaveLength(3);
      expect(left).not.toContain(evicted.handle);
      expect(left).toContain(newcomer.handle);
      await evicted.refreshSession().expect(401);
    } finally {
      await app.close();
    }
  });
});
