import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SESSION_DATA_SOURCE, SessionAuditEntity, SessionService } from '../../src';
import { TestClock } from '../../src/testing';
import { EmitterRecorder, RecordingListener, sessionEventsApp } from '../fixtures/session-events.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient } from '../support/session-client';

/**
 * Rule: every lifecycle event reaches the app's `@SessionListener()` providers and
 * `@nestjs/event-emitter` handlers, typed, with its reason: created, refreshed, payload changed
 * (online and offline), revoked (signout, admin, other-sessions, cap, absolute timeout, idle
 * expiry, theft) and token theft with the reuse kind; with `auditLog` each becomes a row.
 */
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const IDLE = 300;
const ABSOLUTE = 1000;
const GRACE = 30;

describe.each(PLATFORMS)('lifecycle events (%s)', (platform) => {
  let app: INestApplication;
  let clock: TestClock;
  let recorder: RecordingListener;
  let sessions: SessionService;

  beforeAll(async () => {
    clock = new TestClock();
    app = await createTestApp(
      platform,
      sessionEventsApp({ clock, refreshTokenValidity: IDLE, absoluteSessionLifetime: ABSOLUTE, refreshGracePeriod: GRACE, maxSessionsPerUser: 2, auditLog: true }),
    );
    recorder = app.get(RecordingListener);
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());

  async function signIn(userId: string): Promise<SessionClient> {
    const client = new SessionClient(app, 'header');
    client.headers = { 'User-Agent': UA };
    await client.login({ userId });
    return client;
  }
  const types = (userId: string) => recorder.of(userId).map((e) => (e.type === 'session.revoked' ? `revoked:${e.reason}` : e.type));

  it('created, refreshed, payload changed (online and offline), revoked on signout', async () => {
    const client = await signIn('ev-basic');
    const at = clock.now();
    await client.refreshSession().expect(200);
    await client.post('/payload', { plan: 'pro' }).expect(201);
    expect(await sessions.mergeIntoAccessTokenPayload(client.handle!, { seats: 3 })).toBe(true);
    expect(await sessions.mergeIntoAccessTokenPayloadForUser('ev-basic', { team: 'x' })).toBe(1);
    await client.signOut().expect(200);

    const handle = client.handle!;
    const base = { sessionHandle: handle, userId: 'ev-basic', tenantId: 'public', at };
    expect(recorder.events.filter((e) => e.sessionHandle === handle || (e.sessionHandle === null && e.userId === 'ev-basic'))).toEqual([
      { type: 'session.created', ...base, ip: expect.any(String), userAgent: UA },
      { type: 'session.refreshed', ...base, generation: 1, ip: expect.any(String), userAgent: UA },
      { type: 'session.payload-changed', ...base, keys: ['plan'], mode: 'online' },
      { type: 'session.payload-changed', sessionHandle: handle, userId: null, tenantId: null, keys: ['seats'], mode: 'offline', at },
      { type: 'session.payload-changed', sessionHandle: null, userId: 'ev-basic', tenantId: null, keys: ['team'], mode: 'offline', at },
      { type: 'session.revoked', ...base, reason: 'signout' },
    ]);
  });

  it('revoked by an admin, by another session, and by the cap', async () => {
    const a = await signIn('ev-revokes');
    const b = await signIn('ev-revokes');
    expect(await sessions.revokeSession(a.handle!)).toBe(true);
    const c = await signIn('ev-revokes');
    await c.post('/devices/revoke-others').expect(201);
    clock.advance(1);
    const d = await signIn('ev-revokes');
    const e = await signIn('ev-revokes'); // cap 2: evicts c, the oldest
    const revoked = recorder.of('ev-revokes').filter((ev) => ev.type === 'session.revoked');
    expect(revoked.map((ev) => [ev.sessionHandle, ev.type === 'session.revoked' && ev.reason])).toEqual([
      [a.handle, 'admin'],
      [b.handle, 'other-sessions'],
      [c.handle, 'cap'],
    ]);
    expect(types('ev-revokes').filter((t) => t === 'session.created')).toHaveLength(5);
    expect(new Set(await sessions.getAllSessionHandlesForUser('ev-revokes'))).toEqual(new Set([d.handle, e.handle]));
    await sessions.revokeAllSessionsForUser('ev-revokes');
    expect(types('ev-revokes').slice(-2)).toEqual(['revoked:admin', 'revoked:admin']);
  });

  it('idle expiry and absolute timeout, at refresh and at cleanup', async () => {
    const idle = await signIn('ev-idle');
    clock.advance(IDLE);
    await idle.refreshSession().expect(401);
    expect(types('ev-idle')).toEqual(['session.created', 'revoked:idle-expiry']);

    const absolute = await signIn('ev-absolute');
    for (let t = 250; t < ABSOLUTE; t += 250) {
      clock.advance(250);
      await absolute.refreshSession().expect(200);
    }
    clock.advance(250);
    await absolute.refreshSession().expect(401);
    expect(types('ev-absolute')).toEqual(['session.created', 'session.refreshed', 'session.refreshed', 'session.refreshed', 'revoked:absolute-timeout']);

    await signIn('ev-cleanup');
    clock.advance(IDLE);
    await sessions.cleanup();
    expect(types('ev-cleanup')).toEqual(['session.created', 'revoked:idle-expiry']);
  });

  it.each([
    ['parent-after-grace', 1],
    ['ancestor', 2],
  ] as const)('token theft by %s reuse', async (reuseKind, behind) => {
    const userId = `ev-theft-${reuseKind}`;
    const client = await signIn(userId);
    const stolen = client.refresh!;
    for (let i = 0; i < behind; i++) await client.refreshSession().expect(200);
    clock.advance(GRACE + 1);
    const res = await client.refreshSession(stolen).expect(401);
    expect(res.body).toEqual({ message: 'token theft detected' });
    const [theft, revoked] = recorder.of(userId).slice(-2);
    expect(theft).toEqual({ type: 'session.token-theft', sessionHandle: client.handle, userId, tenantId: 'public', at: clock.now(), reuseKind, generationsBehind: behind });
    expect(revoked).toEqual(expect.objectContaining({ type: 'session.revoked', reason: 'theft', sessionHandle: client.handle }));
  });

  it('@nestjs/event-emitter handlers get the same events under their names', () => {
    const emitted = app.get(EmitterRecorder).events;
    expect(emitted.map((e) => e.type)).toEqual(recorder.events.map((e) => e.type));
    expect(emitted).toEqual(recorder.events);
  });

  it('the audit log wrote one row per event', async () => {
    const rows = await app.get<DataSource>(SESSION_DATA_SOURCE).getRepository(SessionAuditEntity).find({ order: { at: 'ASC' } });
    expect(rows).toHaveLength(recorder.events.length);
    // Rows of one instant have no order (the test clock stands still): compare sorted.
    const ofTheft = rows.filter((r) => r.userId === 'ev-theft-ancestor').map((r) => [r.type, r.reason]);
    expect(ofTheft.sort()).toEqual([
      ['session.created', null],
      ['session.refreshed', null],
      ['session.refreshed', null],
      ['session.token-theft', 'ancestor'],
      ['session.revoked', 'theft'],
    ].sort());
    expect(rows.find((r) => r.type === 'session.created' && r.userId === 'ev-basic')).toEqual(
      expect.objectContaining({ sessionHandle: expect.any(String), tenantId: 'public', userAgent: UA, ip: expect.any(String) }),
    );
  });
});

describe('without listeners', () => {
  it('nothing is read for events, and the app works without @nestjs/event-emitter', async () => {
    const app = await createTestApp('express', sessionEventsApp({}, false));
    try {
      const client = new SessionClient(app, 'header');
      await client.login({ userId: 'quiet' });
      await client.refreshSession().expect(200);
      expect(app.get(RecordingListener).of('quiet').map((e) => e.type)).toEqual(['session.created', 'session.refreshed']);
    } finally {
      await app.close();
    }
  });
});
