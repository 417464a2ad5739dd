import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { DataSourceOptions } from 'typeorm';
import { BasicController } from '../fixtures/basic.app';
import { testDatabaseOptions } from '../support/database';
import { QueryCounter } from '../support/query-counter';
import { SessionClient } from '../support/session-client';
import { SessionConfigError, SessionModule, type SessionModuleOptions, SessionService } from '../../src';

/**
 * The revocation feed in one process (`revocationFeed: { transport: 'in-process' }`, what a
 * single instance or a SQLite app uses; the multi-instance transports are in
 * multi-instance-feed.e2e-spec.ts): every revocation path and every payload change is published,
 * and the guard refuses revoked sessions and re-issues changed ones WITHOUT `checkDatabase`,
 * reading the database only for the changed session. Runs on every TEST_DB.
 */

const counter = new QueryCounter();

async function startApp(options: SessionModuleOptions = {}): Promise<{ app: INestApplication; sessions: SessionService }> {
  const database = { ...testDatabaseOptions(), logging: ['query'], logger: counter } as DataSourceOptions;
  const moduleRef = await Test.createTestingModule({
    imports: [SessionModule.forRoot({ database, cleanupInterval: 0, revocationFeed: { transport: 'in-process' }, ...options })],
    controllers: [BasicController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, sessions: app.get(SessionService) };
}

/** Statements run by `work`. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  counter.reset();
  await work();
  return [...counter.queries];
}

describe('revocation feed, in-process (one instance)', () => {
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    ({ app, sessions } = await startApp());
  });
  afterAll(() => app?.close());

  const login = async (userId: string, payload?: object) => {
    const client = new SessionClient(app, 'header');
    await client.login({ userId, payload });
    return client;
  };

  it('revokeSession: the still-valid access token is refused at once (401, tokens cleared as checkDatabase does), with no statement', async () => {
    const victim = await login('feed-alice');
    const bystander = await login('feed-bob');
    await victim.get('/me').expect(200);
    expect(await sessions.revokeSession(victim.handle!)).toBe(true);

    const statements = await statementsOf(async () => {
      const refused = await victim.get('/me').expect(401);
      expect(refused.body).toEqual({ message: 'unauthorised' });
      victim.expectTokensCleared(refused);
      await bystander.get('/me').expect(200);
    });
    expect(statements).toEqual([]);
    // The same answer checkDatabase gives for a revoked session.
    const strict = await new SessionClient(app, 'header').get('/strict', victim.access).expect(401);
    expect(strict.body).toEqual({ message: 'unauthorised' });
  });

  it('every revocation path publishes: many, all of a user, the session itself (signout), theft', async () => {
    const many = await Promise.all([login('feed-many'), login('feed-many-2')]);
    const user = await Promise.all([login('feed-user'), login('feed-user')]);
    const self = await login('feed-self');
    const thief = await login('feed-thief');
    const bystander = await login('feed-bystander');

    expect(await sessions.revokeMultipleSessions(many.map((c) => c.handle!))).toHaveLength(2);
    expect(await sessions.revokeAllSessionsForUser('feed-user')).toHaveLength(2);
    const selfAccess = self.access!;
    await self.signOut().expect(200);
    // Theft: the grandparent refresh token presented again revokes the session.
    const t0 = thief.refresh!;
    await thief.refreshSession().expect(200);
    await thief.refreshSession().expect(200);
    await new SessionClient(app, 'header').refreshSession(t0).expect(401);

    const statements = await statementsOf(async () => {
      for (const c of [...many, ...user]) await c.get('/me').expect(401);
      await new SessionClient(app, 'header').get('/me', selfAccess).expect(401);
      await thief.get('/me').expect(401);
      await bystander.get('/me').expect(200);
    });
    expect(statements).toEqual([]);
    expect(sessions.getRevocationFeedStats()).toMatchObject({ transport: 'in-process', degraded: false, revokedHandles: expect.any(Number) });
    expect(sessions.getRevocationFeedStats()!.revokedHandles).toBeGreaterThanOrEqual(7);
  });

  it('the session-management revocations publish too: other sessions, one of a user, evicted by the cap (issue 15)', async () => {
    const [keep, other1, other2] = await Promise.all([login('feed-others'), login('feed-others'), login('feed-others')]);
    const owned = await login('feed-owned');
    expect(await sessions.revokeOtherSessionsForUser('feed-others', keep.handle!)).toHaveLength(2);
    expect(await sessions.revokeSessionForUser('feed-owned', owned.handle!)).toBe(true);
    const statements = await statementsOf(async () => {
      for (const c of [other1, other2, owned]) await c.get('/me').expect(401);
      await keep.get('/me').expect(200);
    });
    expect(statements).toEqual([]);

    const { app: capped } = await startApp({ maxSessionsPerUser: 1 });
    try {
      const first = new SessionClient(capped, 'header');
      await first.login({ userId: 'feed-capped' });
      await new SessionClient(capped, 'header').login({ userId: 'feed-capped' });
      await first.get('/me').expect(401);
    } finally {
      await capped.close();
    }
  });

  it('an offline merge reaches the next request (new token in that response) with one read of that session only', async () => {
    const alice = await login('merge-alice', { plan: 'free' });
    const bystander = await login('merge-bystander');
    const stale = alice.access!;
    expect(await sessions.mergeIntoAccessTokenPayload(alice.handle!, { plan: 'pro' })).toBe(true);

    let res: any;
    const first = await statementsOf(async () => {
      res = await alice.get('/me').expect(200);
      await bystander.get('/me').expect(200);
    });
    expect(res.body.payload).toMatchObject({ plan: 'pro' });
    expect(alice.newAccessTokenIn(res)).toBeDefined();
    expect(first).toHaveLength(1);
    // The new token is trusted (no read); the stale one is read and re-issued again.
    expect(await statementsOf(() => alice.get('/me').expect(200))).toEqual([]);
    const again = await statementsOf(async () => {
      const r = await new SessionClient(app, 'header').get('/me', stale).expect(200);
      expect(r.body.payload).toMatchObject({ plan: 'pro' });
    });
    expect(again).toHaveLength(1);
  });

  it("mergeIntoAccessTokenPayloadForUser: each of the user's sessions re-issued on its next request; other users untouched", async () => {
    const tabs = await Promise.all([login('merge-all', { tier: 1 }), login('merge-all', { tier: 1 })]);
    const other = await login('merge-other', { tier: 1 });
    expect(await sessions.mergeIntoAccessTokenPayloadForUser('merge-all', { tier: 2 })).toBe(2);
    for (const tab of tabs) expect((await tab.get('/me').expect(200)).body.payload).toMatchObject({ tier: 2 });
    expect(await statementsOf(() => other.get('/me').expect(200))).toEqual([]);
    expect((await other.get('/me')).body.payload).toMatchObject({ tier: 1 });
  });
});

describe('revocation feed options', () => {
  it('off by default: no stats, a revoked session keeps working until its token expires (stateless)', async () => {
    const { app, sessions } = await startApp({ revocationFeed: undefined });
    try {
      expect(sessions.getRevocationFeedStats()).toBeUndefined();
      const client = new SessionClient(app, 'header');
      await client.login({ userId: 'no-feed' });
      await sessions.revokeSession(client.handle!);
      await client.get('/me').expect(200);
    } finally {
      await app.close();
    }
  });

  it.each([
    [{ transport: 'kafka' }, /revocationFeed.transport must be one of postgres, redis, in-process/],
    [{ transport: 'in-process', pollIntervalSeconds: 0 }, /pollIntervalSeconds must be a positive number/],
    [{ transport: 'in-process', chanel: 'x' }, /unknown option "revocationFeed.chanel" \(did you mean "revocationFeed.channel"\?\)/],
  ])('refuses %j at start', async (revocationFeed, message) => {
    await expect(startApp({ revocationFeed: revocationFeed as never })).rejects.toThrow(message);
    await expect(startApp({ revocationFeed: revocationFeed as never })).rejects.toBeInstanceOf(SessionConfigError);
  });

  it('refuses the postgres transport on another database', async () => {
    const type = (testDatabaseOptions() as { type: string }).type;
    if (type === 'postgres') return;
    await expect(startApp({ revocationFeed: { transport: 'postgres' } })).rejects.toThrow(/needs a PostgreSQL DataSource/);
  });
});
