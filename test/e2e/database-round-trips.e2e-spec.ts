import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SessionModule, SessionService } from '../../src';
import { GloballyGuardedController } from '../fixtures/registration.app';
import { basicApp } from '../fixtures/basic.app';
import { testDatabaseOptions } from '../support/database';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { QueryCounter } from '../support/query-counter';
import { headerTokens } from '../support/tokens';

/**
 * Each operation costs the fewest database round trips: verifying a valid token none, creation
 * one read of the built-in claims plus one insert, refresh one read and one update, checkDatabase
 * one read per request (not per guard), revocation one read and one delete.
 */

const bearer = (token: string) => `Bearer ${token}`;

/** First SQL keyword of each counted statement, for readable failures. */
const verbs = (counter: QueryCounter) => counter.queries.map((q) => q.trim().split(/\s+/)[0].toUpperCase());

/**
 * TypeORM hands every statement to a logger *instance* given in the DataSource options (its
 * LoggerFactory returns object loggers as they are, and the query runner calls `logQuery`
 * before running each statement); `logging` only filters TypeORM's built-in loggers.
 */
function countingApp(counter: QueryCounter, options: Parameters<typeof basicApp>[0] = {}) {
  return basicApp({ database: { ...testDatabaseOptions(), logger: counter, logging: true }, ...options });
}

describe.each(PLATFORMS)('database round trips (%s)', (platform) => {
  describe.each([
    ['with the verified-token cache', {}],
    ['with the verified-token cache disabled (signature checked on every request)', { verifiedTokenCacheSize: 0 }],
  ])('%s', (_name, options) => {
    const counter = new QueryCounter();
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, countingApp(counter, options));
    });
    afterAll(() => app.close());
    beforeEach(() => counter.reset());

    it('the counter sees the module’s statements at all (sanity check)', async () => {
      await app.get(SessionService).getSessionInformation('00000000-0000-4000-8000-000000000000');
      expect(verbs(counter)).toEqual(['SELECT']);
    });

    it('verifying a valid access token performs zero database queries, however many requests', async () => {
      const login = await request(app.getHttpServer()).post('/login').send({ userId: 'reader' }).expect(201);
      const { access } = headerTokens(login);
      counter.reset();
      for (let i = 0; i < 25; i++) {
        const res = await request(app.getHttpServer()).get('/me').set('Authorization', bearer(access)).expect(200);
        expect(res.body.userId).toBe('reader');
      }
      await request(app.getHttpServer()).post('/me').set('Authorization', bearer(access)).expect(201);
      await request(app.getHttpServer()).get('/optional').set('Authorization', bearer(access)).expect(200);
      expect(counter.queries).toEqual([]);
    });

    it('createNewSession with the default options is one SELECT of the built-in role/permission claims and one INSERT', async () => {
      await request(app.getHttpServer()).post('/login').send({ userId: 'creator', payload: { a: 1 }, data: { b: 2 } }).expect(201);
      expect(verbs(counter)).toEqual(['SELECT', 'INSERT']);
    });

    it('refresh is one SELECT and one UPDATE, and the refreshed access token again verifies without the database', async () => {
      const login = await request(app.getHttpServer()).post('/login').send({ userId: 'refresher' }).expect(201);
      counter.reset();
      const refreshed = await request(app.getHttpServer())
        .post('/auth/session/refresh')
        .set('Authorization', bearer(headerTokens(login).refresh))
        .expect(200);
      expect(verbs(counter)).toEqual(['SELECT', 'UPDATE']);

      counter.reset();
      for (let i = 0; i < 5; i++) {
        await request(app.getHttpServer()).get('/me').set('Authorization', bearer(headerTokens(refreshed).access)).expect(200);
      }
      expect(counter.count).toBe(0);
    });

    it('checkDatabase: true costs exactly one SELECT per request', async () => {
      const login = await request(app.getHttpServer()).post('/login').send({ userId: 'strict' }).expect(201);
      counter.reset();
      await request(app.getHttpServer()).get('/strict').set('Authorization', bearer(headerTokens(login).access)).expect(200);
      expect(verbs(counter)).toEqual(['SELECT']);
    });

    it('requests without a token or with a malformed token do not touch the database', async () => {
      await request(app.getHttpServer()).get('/me').expect(401);
      await request(app.getHttpServer()).get('/me').set('Authorization', 'Bearer not-a-jwt').expect(401);
      await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', 'Bearer not-a-refresh-token').expect(401);
      expect(counter.count).toBe(0);
    });
  });

  describe('offline operations by handle', () => {
    const counter = new QueryCounter();
    let app: INestApplication;
    let sessions: SessionService;
    beforeAll(async () => {
      // Built-in role claims off: nothing to fetch, so creation is the session write alone.
      app = await createTestApp(platform, countingApp(counter, { userRoles: { addRolesToSession: false, addPermissionsToSession: false } }));
      sessions = app.get(SessionService);
    });
    afterAll(() => app.close());
    beforeEach(() => counter.reset());

    it('createNewSessionWithoutRequestResponse is exactly one INSERT; reading or replacing session data is one statement', async () => {
      const session = await sessions.createNewSessionWithoutRequestResponse('public', 'offline-user', {}, { n: 1 });
      expect(verbs(counter)).toEqual(['INSERT']);

      counter.reset();
      await sessions.getSessionInformation(session.getHandle());
      expect(verbs(counter)).toEqual(['SELECT']);

      counter.reset();
      expect(await sessions.updateSessionDataInDatabase(session.getHandle(), { n: 2 })).toBe(true);
      expect(verbs(counter)).toEqual(['UPDATE']);

      counter.reset();
      await sessions.getAllSessionHandlesForUser('offline-user');
      expect(verbs(counter)).toEqual(['SELECT']);
    });

    it('getSessionWithoutRequestResponse verifies without the database', async () => {
      const session = await sessions.createNewSessionWithoutRequestResponse('public', 'offline-verify');
      counter.reset();
      const verified = await sessions.getSessionWithoutRequestResponse(session.getAccessToken());
      expect(verified.getHandle()).toBe(session.getHandle());
      expect(counter.count).toBe(0);
    });

    it('revokeSession and revokeAllSessionsForUser are each one SELECT of the affected handles and one DELETE', async () => {
      const a = await sessions.createNewSessionWithoutRequestResponse('public', 'revoke-user');
      const b = await sessions.createNewSessionWithoutRequestResponse('public', 'revoke-user');
      counter.reset();
      expect(await sessions.revokeSession(a.getHandle())).toBe(true);
      expect(verbs(counter)).toEqual(['SELECT', 'DELETE']);
      counter.reset();
      expect(await sessions.revokeAllSessionsForUser('revoke-user')).toEqual([b.getHandle()]);
      expect(verbs(counter)).toEqual(['SELECT', 'DELETE']);
    });
  });

  describe('globalGuard with @VerifySession({ checkDatabase: true }) on a route', () => {
    const counter = new QueryCounter();
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, {
        imports: [
          SessionModule.forRoot({ database: { ...testDatabaseOptions(), logger: counter, logging: true }, cleanupInterval: 0, globalGuard: true }),
        ],
        controllers: [GloballyGuardedController],
      });
    });
    afterAll(() => app.close());

    it('reads the database once per request, not once per guard', async () => {
      const login = await request(app.getHttpServer()).post('/login').send({ userId: 'global-strict' }).expect(201);
      counter.reset();
      await request(app.getHttpServer()).get('/strict').set('Authorization', bearer(headerTokens(login).access)).expect(200);
      expect(verbs(counter)).toEqual(['SELECT']);
      counter.reset();
      await request(app.getHttpServer()).get('/me').set('Authorization', bearer(headerTokens(login).access)).expect(200);
      expect(counter.count).toBe(0);
    });
  });
});
