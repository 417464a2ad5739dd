import type { INestApplication } from '@nestjs/common';
import { SessionService } from '../../src';
import { payloadApp } from '../fixtures/payload.app';
import { testDatabaseKind } from '../support/database';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { QueryCounter } from '../support/query-counter';
import { customClaimsOfToken, SessionClient } from '../support/session-client';

/**
 * Payload writes cost the minimum of database round trips, counted with a TypeORM logger: an
 * offline merge is one statement; a merge across all of a user's sessions is one
 * statement whether the user has 1 session or 25.
 */

/** First SQL keyword of each counted statement. */
const verbs = (counter: QueryCounter) => counter.queries.map((q) => q.trim().split(/\s+/)[0].toUpperCase());

describe.each(PLATFORMS)('database round trips of payload writes (%s)', (platform) => {
  const counter = new QueryCounter();
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    app = await createTestApp(platform, payloadApp({ queryCounter: counter }));
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());
  beforeEach(() => counter.reset());

  async function sessionsFor(userId: string, count: number, tenantId = 'public'): Promise<string[]> {
    const handles: string[] = [];
    for (let i = 0; i < count; i++) handles.push((await sessions.createNewSessionWithoutRequestResponse(tenantId, userId)).getHandle());
    return handles;
  }

  it('the counter sees every statement: creating a session is one INSERT', async () => {
    await sessionsFor('counted', 1);
    expect(verbs(counter)).toEqual(['INSERT']);
  });

  it('an offline merge is one UPDATE, and so is an offline merge of an unknown session', async () => {
    const [handle] = await sessionsFor('offline-merge', 1);
    counter.reset();

    expect(await sessions.mergeIntoAccessTokenPayload(handle, { plan: 'pro', someKey: null })).toBe(true);
    expect(verbs(counter)).toEqual(['UPDATE']);

    counter.reset();
    expect(await sessions.mergeIntoAccessTokenPayload('00000000-0000-4000-8000-000000000000', { plan: 'pro' })).toBe(false);
    expect(verbs(counter)).toEqual(['UPDATE']);
    expect((await sessions.getSessionInformation(handle))?.customClaimsInAccessTokenPayload).toEqual({ plan: 'pro' });
  });

  it('a per-user merge is one UPDATE for 1 session and for 25 sessions, with or without a tenant', async () => {
    const one = await sessionsFor('one-session-user', 1);
    const many = [...(await sessionsFor('busy-user', 20)), ...(await sessionsFor('busy-user', 5, 'acme'))];
    counter.reset();

    expect(await sessions.mergeIntoAccessTokenPayloadForUser('one-session-user', { flag: 1 })).toBe(1);
    expect(verbs(counter)).toEqual(['UPDATE']);

    counter.reset();
    expect(await sessions.mergeIntoAccessTokenPayloadForUser('busy-user', { flag: 25 })).toBe(25);
    expect(verbs(counter)).toEqual(['UPDATE']);

    counter.reset();
    expect(await sessions.mergeIntoAccessTokenPayloadForUser('busy-user', { tenantFlag: true }, 'acme')).toBe(5);
    expect(verbs(counter)).toEqual(['UPDATE']);

    for (const handle of one) expect((await sessions.getSessionInformation(handle))?.customClaimsInAccessTokenPayload).toEqual({ someKey: 'someValue', flag: 1 });
    const stored = await Promise.all(many.map(async (h) => (await sessions.getSessionInformation(h))?.customClaimsInAccessTokenPayload));
    expect(stored.slice(0, 20)).toEqual(Array(20).fill({ someKey: 'someValue', flag: 25 }));
    expect(stored.slice(20)).toEqual(Array(5).fill({ someKey: 'someValue', flag: 25, tenantFlag: true }));
  });

  it('an online merge is one UPDATE (the new token comes from its RETURNING; MySQL/MariaDB have none and read back), a legacy replace one UPDATE', async () => {
    const c = new SessionClient(app, 'header');
    const { access } = await c.login({ userId: 'online-writes' });
    counter.reset();

    const merged = await c.post('/updateinfo', undefined, access).expect(201);
    expect(verbs(counter)).toEqual(['mysql', 'mariadb'].includes(testDatabaseKind()) ? ['UPDATE', 'SELECT'] : ['UPDATE']);
    expect(customClaimsOfToken(merged.headers['st-access-token'])).toEqual({ someKey: 'someValue', newKey: 'newValue' });

    counter.reset();
    const replaced = await c.post('/update-role', undefined, merged.headers['st-access-token']).expect(200);
    expect(verbs(counter)).toEqual(['UPDATE']);
    expect(customClaimsOfToken(replaced.headers['st-access-token'])).toEqual({ role: 'admin' });
  });
});
