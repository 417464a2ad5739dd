import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { basicApp } from '../fixtures/basic.app';
import { testDatabaseKind } from '../support/database';
import { createTestApp } from '../support/platforms';
import { SESSION_DATA_SOURCE, SessionService, SessionStore } from '../../src';
import { SessionEntity } from '../../src/storage/entities/session.entity';

/**
 * Storage writes are atomic, on whichever database `TEST_DB` names: every payload write is one atomic statement, so 200 concurrent merges of distinct keys on one
 * session lose nothing; refresh-token rotation is one conditional UPDATE, so of N concurrent
 * rotations from the same generation exactly one wins. Plus the merge semantics every dialect
 * must share (SuperTokens' top-level merge, `null` deletes a key, values replaced whole).
 */
const db = testDatabaseKind();

describe(`storage: atomic writes under concurrency (${db})`, () => {
  let app: INestApplication;
  let store: SessionStore;
  let sessions: SessionService;
  let dataSource: DataSource;
  /** Keys the module itself puts in every new payload (claims added on create, e.g. roles). */
  let ambientKeys: string[];
  /** A stored payload without those keys: what the test wrote. */
  const custom = (payload: Record<string, unknown>) => Object.fromEntries(Object.entries(payload).filter(([k]) => !ambientKeys.includes(k)));
  beforeAll(async () => {
    app = await createTestApp('express', basicApp());
    store = app.get<SessionStore>(SessionStore);
    sessions = app.get(SessionService);
    dataSource = app.get(SESSION_DATA_SOURCE);
    const probe = await sessions.createNewSessionWithoutRequestResponse('public', 'probe', {});
    ambientKeys = Object.keys((await store.find(probe.getHandle(), Date.now()))!.accessTokenPayload);
  });
  afterAll(() => app?.close());

  const newSession = async (userId = 'concurrent', payload: Record<string, unknown> = { initial: true }) =>
    (await sessions.createNewSessionWithoutRequestResponse('public', userId, payload as never)).getHandle();

  it('200 concurrent store.mergePayload calls of distinct keys on one session lose nothing', async () => {
    const handle = await newSession();
    const before = (await store.find(handle, Date.now()))!.payloadVersion;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.mergePayload(handle, { [`key${i}`]: { i, tags: [i, null] } }, Date.now())),
    );
    expect(results.every((r) => r !== undefined)).toBe(true);
    // Each write saw its own key (the payload returned is at least as new as the write).
    results.forEach((r, i) => expect(r!.payload[`key${i}`]).toEqual({ i, tags: [i, null] }));

    const after = (await store.find(handle, Date.now()))!;
    expect(Object.keys(custom(after.accessTokenPayload)).sort()).toEqual(['initial', ...Array.from({ length: 200 }, (_, i) => `key${i}`)].sort());
    expect(after.payloadVersion).toBe(before + 200);
    // With UPDATE ... RETURNING each write sees its own row version; MySQL/MariaDB read the row
    // back after the write, so a write may see a later version (never an older one).
    if (db === 'sqlite' || db === 'postgres') expect(new Set(results.map((r) => r!.version)).size).toBe(200);
    else results.forEach((r) => expect(r!.version).toBeGreaterThan(before));
  });

  it('200 concurrent store.mergePayloadIfExists calls (the offline merge, one statement each) lose nothing', async () => {
    const handle = await newSession();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => store.mergePayloadIfExists(handle, { [`blind${i}`]: i }, Date.now())));
    expect(answers.every(Boolean)).toBe(true);
    const after = (await store.find(handle, Date.now()))!;
    expect(custom(after.accessTokenPayload)).toEqual({ initial: true, ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`blind${i}`, i])) });
    expect(await store.mergePayloadIfExists('00000000-0000-4000-8000-000000000000', { a: 1 }, Date.now())).toBe(false);
  });

  it('concurrent merges and removals of different keys compose (100 sets + 100 deletes)', async () => {
    const initial = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`old${i}`, i]));
    const handle = await newSession('composer', initial);
    await Promise.all([
      ...Array.from({ length: 100 }, (_, i) => store.mergePayload(handle, { [`new${i}`]: `v${i}` }, Date.now())),
      ...Array.from({ length: 100 }, (_, i) => store.mergePayload(handle, { [`old${i}`]: null }, Date.now())),
    ]);
    const after = (await store.find(handle, Date.now()))!;
    expect(custom(after.accessTokenPayload)).toEqual(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`new${i}`, `v${i}`])));
  });

  it("concurrent per-user merges reach every one of the user's sessions", async () => {
    const handles = await Promise.all(Array.from({ length: 5 }, () => newSession('many-sessions', {})));
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => store.mergePayloadForUser('many-sessions', undefined, { [`k${i}`]: i }, Date.now())));
    expect(counts.every((c) => c === 5)).toBe(true);
    for (const handle of handles) {
      const record = (await store.find(handle, Date.now()))!;
      expect(Object.keys(custom(record.accessTokenPayload))).toHaveLength(40);
    }
  });

  it('of 20 concurrent rotations from the same generation exactly one wins', async () => {
    const handle = await newSession('rotator');
    const record = (await store.find(handle, Date.now()))!;
    const now = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.rotateRefreshToken({
          sessionHandle: handle,
          fromGeneration: record.refreshGeneration,
          refreshHash: `hash-${i}`.padEnd(64, '0'),
          rotatedAt: now,
          expiresAt: now + 60_000,
        }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const after = (await store.find(handle, Date.now()))!;
    expect(after.refreshGeneration).toBe(record.refreshGeneration + 1);
    expect(after.refreshHash).toBe(`hash-${outcomes.indexOf(true)}`.padEnd(64, '0'));
    // The next generation rotates again; a stale generation never does.
    const stale = { sessionHandle: handle, fromGeneration: record.refreshGeneration, refreshHash: 'x'.repeat(64), rotatedAt: now, expiresAt: now + 60_000 };
    expect(await store.rotateRefreshToken(stale)).toBe(false);
    expect(await store.rotateRefreshToken({ ...stale, fromGeneration: after.refreshGeneration })).toBe(true);
  });

  it('100 concurrent refreshes of distinct sessions all succeed', async () => {
    const created = await Promise.all(
      Array.from({ length: 100 }, (_, i) => sessions.createNewSessionWithoutRequestResponse('public', `refresher-${i % 10}`)),
    );
    const refreshed = await Promise.all(created.map((s) => sessions.refreshSessionWithoutRequestResponse(s.getAllSessionTokensDangerously().refreshToken!)));
    refreshed.forEach((s, i) => expect(s.getHandle()).toBe(created[i].getHandle()));
  });

  describe('merge semantics (the same on every database)', () => {
    it('replaces top-level values whole, deletes on null, keeps nested nulls, arrays and unusual keys', async () => {
      const handle = await newSession('semantics', { keep: 1, obj: { a: 1, b: 2 }, list: [1, 2], gone: 'x' });
      const odd = { 'with.dot': 1, 'with "quote"': 2, 'with\\backslash': 3, 'é ü 😀': 4, '$': 5, '[0]': 6, '': 7 };
      const merged = await store.mergePayload(handle, { obj: { c: null }, list: [null], gone: null, missing: null, t: true, f: false, n: 0, s: '', ...odd }, Date.now());
      const expected = { keep: 1, obj: { c: null }, list: [null], t: true, f: false, n: 0, s: '', ...odd };
      expect(custom(merged!.payload)).toEqual(expected);
      expect(custom((await store.find(handle, Date.now()))!.accessTokenPayload)).toEqual(expected);
    });

    it('an empty update changes nothing but the version; an unknown or expired session gives undefined / 0', async () => {
      const handle = await newSession('empty', { a: 1 });
      const before = (await store.find(handle, Date.now()))!;
      const merged = await store.mergePayload(handle, {}, Date.now());
      expect(merged).toEqual({ payload: before.accessTokenPayload, version: before.payloadVersion + 1 });
      expect(await store.mergePayload('00000000-0000-4000-8000-000000000000', { a: 2 }, Date.now())).toBeUndefined();
      expect(await store.mergePayload(handle, { a: 2 }, before.expiresAt + 1)).toBeUndefined();
      expect(await store.mergePayloadForUser('empty', undefined, { a: 2 }, before.expiresAt + 1)).toBe(0);
    });

    it('a long update (300 keys) is one statement and lands whole', async () => {
      const handle = await newSession('long', {});
      const update = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i % 3 === 0 ? null : { i }]));
      const merged = await store.mergePayload(handle, update, Date.now());
      const expected = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== null));
      expect(custom(merged!.payload)).toEqual(expected);
    });

    it('per-user merges respect the tenant filter', async () => {
      const a = await newSession('tenanted', {});
      const b = (await sessions.createNewSessionWithoutRequestResponse('other-tenant', 'tenanted', {})).getHandle();
      expect(await store.mergePayloadForUser('tenanted', 'other-tenant', { only: 'other' }, Date.now())).toBe(1);
      expect(custom((await store.find(a, Date.now()))!.accessTokenPayload)).toEqual({});
      expect(custom((await store.find(b, Date.now()))!.accessTokenPayload)).toEqual({ only: 'other' });
    });

    it('updateSessionData answers true for identical data (matched rows, not changed rows) and false for unknown sessions', async () => {
      const handle = await newSession('data');
      expect(await store.updateSessionData(handle, { x: 1 }, Date.now())).toBe(true);
      expect(await store.updateSessionData(handle, { x: 1 }, Date.now())).toBe(true);
      expect(await store.updateSessionData('00000000-0000-4000-8000-000000000000', { x: 1 }, Date.now())).toBe(false);
      expect(await store.replacePayload(handle, { r: 1 }, Date.now())).toBe(true);
      expect(await store.replacePayload(handle, { r: 1 }, Date.now())).toBe(true);
    });

    it('writes go to the DataSource the module stores in (raw SQL follows its schema)', async () => {
      const handle = await newSession('where', { w: 1 });
      const row = await dataSource.getRepository(SessionEntity).findOneBy({ sessionHandle: handle });
      expect(custom(row!.accessTokenPayload)).toEqual({ w: 1 });
      await store.mergePayload(handle, { w: 2 }, Date.now());
      expect(custom((await dataSource.getRepository(SessionEntity).findOneBy({ sessionHandle: handle }))!.accessTokenPayload)).toEqual({ w: 2 });
    });
  });
});
