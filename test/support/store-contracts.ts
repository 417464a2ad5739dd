import { randomUUID } from 'node:crypto';
import type { RoleStore, SessionRecord, SessionStore, SigningKeyStore, StoredSigningKey } from '../../src';

/** The three stores under test, and how to release what they hold. */
export interface StoreHarness {
  sessions: SessionStore;
  signingKeys: SigningKeyStore;
  roles: RoleStore;
  close(): Promise<void>;
}

const HOUR = 3_600_000;
/** A fixed "now", far from any real clock, so expiry is decided by the test alone. */
const NOW = 1_900_000_000_000;

/** A complete session record for store tests (a new handle and user each call). */
export function sampleSessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionHandle: randomUUID(),
    userId: `user-${randomUUID().slice(0, 8)}`,
    tenantId: 'public',
    refreshHash: 'a'.repeat(64),
    refreshGeneration: 0,
    refreshSalt: 's'.repeat(43),
    rotatedAt: NOW,
    antiCsrfToken: null,
    accessTokenPayload: { plan: 'free' },
    sessionData: { theme: 'dark' },
    payloadVersion: 1,
    createdAt: NOW,
    expiresAt: NOW + HOUR,
    createdIp: '203.0.113.5',
    createdUserAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    lastIp: '203.0.113.5',
    lastUserAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    ...overrides,
  };
}

/**
 * The behaviour every {@link SessionStore} must have, whatever keeps the rows: what `find`
 * returns after `create`, that expired sessions are invisible, compare-and-set rotation, the
 * top-level merge rules (`null` deletes a key, values replace whole, nested `null` kept),
 * concurrent merges losing nothing, and what each delete answers.
 */
export function sessionStoreContract(open: () => Promise<StoreHarness>): void {
  describe('SessionStore contract', () => {
    let harness: StoreHarness;
    let store: SessionStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.sessions;
    });
    afterAll(() => harness?.close());

    it('find returns what create stored, JSON and epoch-ms numbers intact', async () => {
      const session = sampleSessionRecord({
        antiCsrfToken: 'csrf-token',
        accessTokenPayload: { nested: { list: [1, 'two', null, { deep: true }] }, 'dotted.key': 'x', 'quote"key': 1.5, unicode: 'ü✓' },
        sessionData: { secret: { value: null } },
      });
      await store.create(session);
      expect(await store.find(session.sessionHandle, NOW)).toEqual(session);
    });

    it('find ignores unknown handles and sessions whose expiry has come', async () => {
      const session = sampleSessionRecord({ expiresAt: NOW + 1000 });
      await store.create(session);
      expect(await store.find(randomUUID(), NOW)).toBeUndefined();
      expect(await store.find(session.sessionHandle, NOW + 999)).toBeDefined();
      expect(await store.find(session.sessionHandle, NOW + 1000)).toBeUndefined();
    });

    it('rotateRefreshToken moves one generation forward only from the generation it names', async () => {
      const session = sampleSessionRecord();
      await store.create(session);
      const rotation = { sessionHandle: session.sessionHandle, fromGeneration: 0, refreshHash: 'b'.repeat(64), rotatedAt: NOW + 10, expiresAt: NOW + 2 * HOUR };
      expect(await store.rotateRefreshToken({ ...rotation, fromGeneration: 1 })).toBe(false);
      expect(await store.rotateRefreshToken(rotation)).toBe(true);
      expect(await store.rotateRefreshToken(rotation)).toBe(false);
      expect(await store.find(session.sessionHandle, NOW)).toEqual({ ...session, refreshHash: 'b'.repeat(64), refreshGeneration: 1, rotatedAt: NOW + 10, expiresAt: NOW + 2 * HOUR });
      // With the refresh's client, that client becomes the session's last one; the creation's stays.
      const client = { ip: '198.51.100.7', userAgent: 'curl/8.4.0' };
      expect(await store.rotateRefreshToken({ ...rotation, fromGeneration: 1, rotatedAt: NOW + 20, client })).toBe(true);
      expect(await store.find(session.sessionHandle, NOW)).toEqual(
        expect.objectContaining({ createdIp: session.createdIp, createdUserAgent: session.createdUserAgent, lastIp: client.ip, lastUserAgent: client.userAgent, rotatedAt: NOW + 20 }),
      );
    });

    it('listForUser: live sessions of the user (and tenant), newest first', async () => {
      const userId = `list-${randomUUID()}`;
      const older = sampleSessionRecord({ userId, createdAt: NOW - 2000 });
      const newer = sampleSessionRecord({ userId, createdAt: NOW - 1000 });
      const otherTenant = sampleSessionRecord({ userId, tenantId: 'tenant-b', createdAt: NOW - 500 });
      const expired = sampleSessionRecord({ userId, expiresAt: NOW });
      for (const s of [older, newer, otherTenant, expired, sampleSessionRecord()]) await store.create(s);
      expect((await store.listForUser(userId, undefined, NOW)).map((s) => s.sessionHandle)).toEqual([otherTenant, newer, older].map((s) => s.sessionHandle));
      expect(await store.listForUser(userId, 'public', NOW)).toEqual([newer, older]);
    });

    it('deleteForUserExcept and deleteOfUser touch only the named user\'s sessions', async () => {
      const userId = `owner-${randomUUID()}`;
      const [keep, a, b] = [sampleSessionRecord({ userId }), sampleSessionRecord({ userId }), sampleSessionRecord({ userId, tenantId: 'tenant-b' })];
      const stranger = sampleSessionRecord();
      for (const s of [keep, a, b, stranger]) await store.create(s);
      expect(await store.deleteOfUser(stranger.sessionHandle, userId, undefined)).toBe(false);
      expect(await store.deleteForUserExcept(userId, 'public', keep.sessionHandle)).toEqual([a.sessionHandle]);
      expect(await store.deleteOfUser(b.sessionHandle, userId, 'public')).toBe(false);
      expect(await store.deleteOfUser(b.sessionHandle, userId, 'tenant-b')).toBe(true);
      expect(await store.find(keep.sessionHandle, NOW)).toBeDefined();
      expect(await store.find(stranger.sessionHandle, NOW)).toBeDefined();
    });

    it('of 20 concurrent rotations from one generation exactly one wins', async () => {
      const session = sampleSessionRecord();
      await store.create(session);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.rotateRefreshToken({ sessionHandle: session.sessionHandle, fromGeneration: 0, refreshHash: String(i).padStart(64, '0'), rotatedAt: NOW, expiresAt: NOW + HOUR }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.find(session.sessionHandle, NOW))!.refreshGeneration).toBe(1);
    });

    it('rotateRefreshToken does not revive an expired session', async () => {
      const session = sampleSessionRecord({ expiresAt: NOW });
      await store.create(session);
      expect(await store.rotateRefreshToken({ sessionHandle: session.sessionHandle, fromGeneration: 0, refreshHash: 'c'.repeat(64), rotatedAt: NOW, expiresAt: NOW + HOUR })).toBe(false);
    });

    it('mergePayload: null deletes a key, values replace whole, nested null is kept, the version grows', async () => {
      const session = sampleSessionRecord({ accessTokenPayload: { keep: 1, drop: 'x', obj: { a: 1, b: 2 } } });
      await store.create(session);
      const stored = await store.mergePayload(session.sessionHandle, { drop: null, obj: { b: null }, added: [null, 1], 'a.b': true }, NOW);
      const expected = { keep: 1, obj: { b: null }, added: [null, 1], 'a.b': true };
      expect(stored!.payload).toEqual(expected);
      expect(stored!.version).toBeGreaterThan(1);
      expect((await store.find(session.sessionHandle, NOW))!.accessTokenPayload).toEqual(expected);
    });

    it('mergePayload and mergePayloadIfExists answer undefined / false for unknown and expired sessions', async () => {
      const expired = sampleSessionRecord({ expiresAt: NOW });
      await store.create(expired);
      for (const handle of [expired.sessionHandle, randomUUID()]) {
        expect(await store.mergePayload(handle, { a: 1 }, NOW)).toBeUndefined();
        expect(await store.mergePayloadIfExists(handle, { a: 1 }, NOW)).toBe(false);
      }
      expect((await store.find(expired.sessionHandle, NOW - 1))!.accessTokenPayload).toEqual(expired.accessTokenPayload);
    });

    it('100 concurrent merges of distinct keys on one session lose nothing', async () => {
      const session = sampleSessionRecord({ accessTokenPayload: {} });
      await store.create(session);
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? store.mergePayload(session.sessionHandle, { [`k${i}`]: i }, NOW) : store.mergePayloadIfExists(session.sessionHandle, { [`k${i}`]: i }, NOW))),
      );
      expect(answers.every(Boolean)).toBe(true);
      const found = await store.find(session.sessionHandle, NOW);
      expect(found!.accessTokenPayload).toEqual(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])));
      expect(found!.payloadVersion).toBe(101);
    });

    it("mergePayloadForUser changes every live session of the user (in the tenant), and only those", async () => {
      const userId = `many-${randomUUID()}`;
      const mine = [sampleSessionRecord({ userId }), sampleSessionRecord({ userId }), sampleSessionRecord({ userId, tenantId: 'other' })];
      const expired = sampleSessionRecord({ userId, expiresAt: NOW });
      const someoneElse = sampleSessionRecord();
      for (const r of [...mine, expired, someoneElse]) await store.create(r);
      expect(await store.mergePayloadForUser(userId, 'public', { flag: true }, NOW)).toBe(2);
      expect(await store.mergePayloadForUser(userId, undefined, { all: 1, plan: null }, NOW)).toBe(3);
      expect((await store.find(mine[0].sessionHandle, NOW))!.accessTokenPayload).toEqual({ flag: true, all: 1 });
      expect((await store.find(mine[2].sessionHandle, NOW))!.accessTokenPayload).toEqual({ all: 1 });
      expect((await store.find(someoneElse.sessionHandle, NOW))!.accessTokenPayload).toEqual({ plan: 'free' });
      expect((await store.find(expired.sessionHandle, NOW - 1))!.accessTokenPayload).toEqual({ plan: 'free' });
    });

    it('replacePayload replaces the whole custom payload of a live session', async () => {
      const session = sampleSessionRecord();
      await store.create(session);
      expect(await store.replacePayload(session.sessionHandle, { only: 'this' }, NOW)).toBe(true);
      expect(await store.replacePayload(randomUUID(), { x: 1 }, NOW)).toBe(false);
      const found = await store.find(session.sessionHandle, NOW);
      expect(found!.accessTokenPayload).toEqual({ only: 'this' });
      expect(found!.payloadVersion).toBeGreaterThan(1);
    });

    it('updateSessionData replaces the data of a live session, also with identical data', async () => {
      const session = sampleSessionRecord();
      await store.create(session);
      expect(await store.updateSessionData(session.sessionHandle, { cart: [1, 2] }, NOW)).toBe(true);
      expect(await store.updateSessionData(session.sessionHandle, { cart: [1, 2] }, NOW)).toBe(true);
      expect(await store.updateSessionData(randomUUID(), { cart: [] }, NOW)).toBe(false);
      expect(await store.updateSessionData(session.sessionHandle, { cart: [] }, session.expiresAt)).toBe(false);
      expect((await store.find(session.sessionHandle, NOW))!.sessionData).toEqual({ cart: [1, 2] });
    });

    it('listHandlesForUser lists live sessions oldest first, per tenant when given', async () => {
      const userId = `lister-${randomUUID()}`;
      const second = sampleSessionRecord({ userId, createdAt: NOW + 2 });
      const first = sampleSessionRecord({ userId, createdAt: NOW + 1 });
      const otherTenant = sampleSessionRecord({ userId, tenantId: 'acme', createdAt: NOW + 3 });
      const expired = sampleSessionRecord({ userId, expiresAt: NOW });
      for (const r of [second, first, otherTenant, expired]) await store.create(r);
      expect(await store.listHandlesForUser(userId, undefined, NOW)).toEqual([first, second, otherTenant].map((r) => r.sessionHandle));
      expect(await store.listHandlesForUser(userId, 'acme', NOW)).toEqual([otherTenant.sessionHandle]);
    });

    it('delete and deleteForUser answer the handles that existed', async () => {
      const userId = `leaver-${randomUUID()}`;
      const a = sampleSessionRecord({ userId });
      const b = sampleSessionRecord({ userId, tenantId: 'acme' });
      const c = sampleSessionRecord();
      for (const r of [a, b, c]) await store.create(r);
      expect(await store.delete([c.sessionHandle, randomUUID()])).toEqual([c.sessionHandle]);
      expect(await store.delete([])).toEqual([]);
      expect(await store.deleteForUser(userId, 'acme')).toEqual([b.sessionHandle]);
      expect(await store.deleteForUser(userId, undefined)).toEqual([a.sessionHandle]);
      expect(await store.find(a.sessionHandle, NOW)).toBeUndefined();
    });

    it('deleteExpired removes exactly the sessions whose expiry has come', async () => {
      const live = sampleSessionRecord({ expiresAt: NOW + 2 * HOUR + 1 });
      const dead = sampleSessionRecord({ expiresAt: NOW + HOUR });
      await store.create(live);
      await store.create(dead);
      expect(await store.deleteExpired(NOW + 2 * HOUR)).toBeGreaterThanOrEqual(1);
      expect(await store.find(dead.sessionHandle, NOW)).toBeUndefined();
      expect(await store.find(live.sessionHandle, NOW)).toBeDefined();
    });
  });
}

function key(overrides: Partial<StoredSigningKey> = {}): StoredSigningKey {
  return { kid: `k-${randomUUID()}`, algorithm: 'RS256', generation: 1, publicJwk: '{"kty":"RSA"}', privateJwk: '{"kty":"RSA","d":"x"}', createdAt: NOW, ...overrides };
}

/** What every {@link SigningKeyStore} must do: keep keys oldest first, refuse a generation twice, delete by kid. */
export function signingKeyStoreContract(open: () => Promise<StoreHarness>): void {
  describe('SigningKeyStore contract', () => {
    let harness: StoreHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(() => harness?.close());

    it('lists inserted keys oldest first, fields intact; refuses an existing (algorithm, generation); deletes by kid', async () => {
      const store = harness.signingKeys;
      const first = key({ createdAt: NOW + 1 });
      const second = key({ generation: 2, createdAt: NOW + 2 });
      expect(await store.insert(second)).toBe(true);
      expect(await store.insert(first)).toBe(true);
      expect(await store.insert(key({ generation: 2, createdAt: NOW + 3 }))).toBe(false);
      const otherAlgorithm = key({ algorithm: 'ES256', generation: 2, createdAt: NOW + 4 });
      expect(await store.insert(otherAlgorithm)).toBe(true);
      expect(await store.list()).toEqual([first, second, otherAlgorithm]);
      await store.delete([first.kid, otherAlgorithm.kid]);
      expect(await store.list()).toEqual([second]);
    });

    it('of 10 instances inserting the same next generation at once, exactly one wins', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => harness.signingKeys.insert(key({ algorithm: 'EdDSA', generation: 7 }))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await harness.signingKeys.list()).filter((k) => k.algorithm === 'EdDSA')).toHaveLength(1);
    });
  });
}

/** What every {@link RoleStore} must do: roles, permissions and per-tenant grants, idempotent adds, sorted lists. */
export function roleStoreContract(open: () => Promise<StoreHarness>): void {
  describe('RoleStore contract', () => {
    let harness: StoreHarness;
    let store: RoleStore;
    beforeAll(async () => {
      harness = await open();
      store = harness.roles;
    });
    afterAll(() => harness?.close());

    it('creates roles once, lists them sorted, and adds and removes permissions idempotently', async () => {
      await store.createRole('writer', NOW);
      await store.createRole('admin', NOW);
      await store.createRole('admin', NOW);
      expect(await store.roleExists('admin')).toBe(true);
      expect(await store.roleExists('nobody')).toBe(false);
      expect(await store.allRoles()).toEqual(['admin', 'writer']);
      await store.addPermissions('writer', ['write', 'read']);
      await store.addPermissions('writer', ['read']);
      await store.addPermissions('admin', ['read', 'delete']);
      expect(await store.permissionsOfRole('writer')).toEqual(['read', 'write']);
      expect(await store.rolesWithPermission('read')).toEqual(['admin', 'writer']);
      await store.removePermissions('writer', ['write', 'unknown']);
      expect(await store.permissionsOfRole('writer')).toEqual(['read']);
    });

    it('grants roles per tenant and answers roles with their permissions in one read', async () => {
      await store.createRole('editor', NOW);
      await store.createRole('viewer', NOW);
      await store.addPermissions('editor', ['edit', 'view']);
      await store.addPermissions('viewer', ['view']);
      await store.addUserRole('public', 'alice', 'viewer');
      await store.addUserRole('public', 'alice', 'editor');
      await store.addUserRole('public', 'alice', 'editor');
      await store.addUserRole('acme', 'alice', 'viewer');
      await store.addUserRole('public', 'bob', 'viewer');
      expect(await store.userHasRole('public', 'alice', 'editor')).toBe(true);
      expect(await store.userHasRole('acme', 'alice', 'editor')).toBe(false);
      expect(await store.rolesOfUser('public', 'alice')).toEqual(['editor', 'viewer']);
      expect(await store.usersWithRole('public', 'viewer')).toEqual(['alice', 'bob']);
      expect(await store.rolesAndPermissionsOfUser('public', 'alice')).toEqual({ roles: ['editor', 'viewer'], permissions: ['edit', 'view'] });
      expect(await store.rolesAndPermissionsOfUser('public', 'nobody')).toEqual({ roles: [], permissions: [] });
      expect(await store.removeUserRole('public', 'alice', 'editor')).toBe(true);
      expect(await store.removeUserRole('public', 'alice', 'editor')).toBe(false);
      expect(await store.rolesOfUser('public', 'alice')).toEqual(['viewer']);
    });

    it('deleteRole removes the role, its permissions and every grant of it', async () => {
      await store.createRole('temp', NOW);
      await store.addPermissions('temp', ['t']);
      await store.addUserRole('public', 'carol', 'temp');
      await store.deleteRole('temp');
      expect(await store.roleExists('temp')).toBe(false);
      expect(await store.permissionsOfRole('temp')).toEqual([]);
      expect(await store.rolesOfUser('public', 'carol')).toEqual([]);
      expect(await store.rolesWithPermission('t')).toEqual([]);
    });
  });
}
