import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { basicApp } from '../../fixtures/basic.app';
import { testDatabaseKind, testDatabaseOptions } from '../../support/database';
import { createTestApp } from '../../support/platforms';
import { SessionClient } from '../../support/session-client';
import { sampleSessionRecord } from '../../support/store-contracts';
import { RoleEntity, RolePermissionEntity, SESSION_ENTITIES, SESSION_MIGRATIONS, SessionConfigError, SessionEntity, SessionService, UserRoleEntity, UserRolesService } from '../../../src';

/**
 * Identifiers compare byte for byte on every database (issue 9, item 1): a user id, tenant id,
 * role or permission that only looks like another one (`ADMIN`, `ádmin`, `admin ` for `admin`)
 * never gets its roles, permissions or sessions. MySQL/MariaDB's default collations are case-,
 * accent- and trailing-space-insensitive; the schema gives these columns a NO PAD binary
 * collation, whether made by the migrations, by `synchronize`, or upgraded from the old schema.
 */
const db = testDatabaseKind();
const LOOK_ALIKES = ['ADMIN', 'ádmin', 'admin ', 'Admin', 'admín'];

/** Grants `admin` the role `admin` (permission `delete-all`) and opens admin's sessions in `acme`. */
async function seedAdmin(app: INestApplication): Promise<{ acme: string }> {
  const roles = app.get(UserRolesService);
  await roles.createNewRoleOrAddPermissions('admin', ['delete-all']);
  await roles.addRoleToUser('acme', 'admin', 'admin');
  const acme = await app.get(SessionService).createNewSessionWithoutRequestResponse('acme', 'admin', { mine: 'admin' });
  return { acme: acme.getHandle() };
}

/** Everything a look-alike must not reach, through the public API and over HTTP. */
async function expectExactIdentities(app: INestApplication, adminHandle: string): Promise<void> {
  const roles = app.get(UserRolesService);
  const sessions = app.get(SessionService);

  for (const name of LOOK_ALIKES) {
    // A look-alike user id has none of admin's roles, permissions or sessions.
    await expect(roles.getRolesForUser('acme', name)).resolves.toEqual({ status: 'OK', roles: [] });
    await expect(roles.getRolesAndPermissionsForUser('acme', name)).resolves.toEqual({ roles: [], permissions: [] });
    await expect(sessions.getAllSessionHandlesForUser(name)).resolves.toEqual([]);
    await expect(sessions.getAllSessionHandlesForUser('admin', name.replace(/admin|ádmin|admín/i, 'acme'))).resolves.toEqual(
      name.replace(/admin|ádmin|admín/i, 'acme') === 'acme' ? [adminHandle] : [],
    );
    await expect(sessions.mergeIntoAccessTokenPayloadForUser(name, { hijacked: true })).resolves.toBe(0);
    await expect(sessions.revokeAllSessionsForUser(name)).resolves.toEqual([]);

    // A look-alike role is not the role `admin`: unknown, and creating it makes a new role.
    await expect(roles.getPermissionsForRole(name)).resolves.toEqual({ status: 'UNKNOWN_ROLE_ERROR' });
    await expect(roles.getUsersThatHaveRole('acme', name)).resolves.toEqual({ status: 'UNKNOWN_ROLE_ERROR' });
    await expect(roles.getRolesThatHavePermission(name.replace(/admin|ádmin|admín/i, 'delete-all'))).resolves.toEqual({
      status: 'OK',
      roles: name.replace(/admin|ádmin|admín/i, 'delete-all') === 'delete-all' ? ['admin'] : [],
    });
  }
  for (const permission of ['DELETE-ALL', 'délete-all', 'delete-all ']) {
    await expect(roles.getRolesThatHavePermission(permission)).resolves.toEqual({ status: 'OK', roles: [] });
  }
  // The session handle too: an upper-cased handle is another (unknown) session.
  await expect(sessions.getSessionInformation(adminHandle.toUpperCase())).resolves.toBeUndefined();
  await expect(sessions.revokeSession(adminHandle.toUpperCase())).resolves.toBe(false);

  // Creating the look-alike roles makes new roles and leaves admin's permissions alone.
  for (const name of LOOK_ALIKES) {
    await expect(roles.createNewRoleOrAddPermissions(name, ['look-alike-perm'])).resolves.toEqual({ status: 'OK', createdNewRole: true });
    await expect(roles.addRoleToUser('acme', name, name)).resolves.toEqual({ status: 'OK', didUserAlreadyHaveRole: false });
  }
  await expect(roles.getPermissionsForRole('admin')).resolves.toEqual({ status: 'OK', permissions: ['delete-all'] });
  await expect(roles.getRolesForUser('acme', 'admin')).resolves.toEqual({ status: 'OK', roles: ['admin'] });
  await expect(roles.getUsersThatHaveRole('acme', 'admin')).resolves.toEqual({ status: 'OK', users: ['admin'] });
  for (const name of LOOK_ALIKES) {
    await expect(roles.getRolesForUser('acme', name)).resolves.toEqual({ status: 'OK', roles: [name] });
    await expect(roles.getPermissionsForRole(name)).resolves.toEqual({ status: 'OK', permissions: ['look-alike-perm'] });
  }
  expect((await roles.getAllRoles()).roles.sort()).toEqual(['admin', ...LOOK_ALIKES].sort());

  // Signing in as a look-alike over HTTP: the token's roles and permissions are its own, not admin's.
  for (const name of ['ADMIN', 'admin ']) {
    const client = new SessionClient(app, 'header');
    await client.login({ userId: name, tenantId: 'acme' });
    expect(client.payload.sub).toBe(name);
    expect(client.payload['st-role'].v).toEqual([name]);
    expect(client.payload['st-perm'].v).toEqual(['look-alike-perm']);
  }

  // Tenants: revoking admin's sessions in `ACME` leaves those in `acme`, and the other way round.
  const upper = await sessions.createNewSessionWithoutRequestResponse('ACME', 'admin');
  await expect(sessions.revokeAllSessionsForUser('admin', 'ACME')).resolves.toEqual([upper.getHandle()]);
  await expect(sessions.getAllSessionHandlesForUser('admin')).resolves.toEqual([adminHandle]);
  const upperAgain = await sessions.createNewSessionWithoutRequestResponse('ACME', 'admin');
  await expect(sessions.revokeAllSessionsForUser('admin', 'acme')).resolves.toEqual([adminHandle]);
  await expect(sessions.getAllSessionHandlesForUser('admin')).resolves.toEqual([upperAgain.getHandle()]);
  await expect(sessions.getSessionInformation(upperAgain.getHandle())).resolves.toMatchObject({ tenantId: 'ACME', userId: 'admin' });
}

describe(`look-alike identities compare exactly (${db})`, () => {
  describe.each([
    ['the shipped migrations', {}],
    ['synchronize', { synchronize: true }],
  ])('on tables made by %s', (_label, options) => {
    let app: INestApplication;
    afterEach(() => app?.close());

    it('gives ADMIN, ádmin and "admin " none of admin\'s roles, permissions or sessions; acme is not ACME', async () => {
      app = await createTestApp('express', basicApp(options));
      const { acme } = await seedAdmin(app);
      await expectExactIdentities(app, acme);
    });
  });

  describe('upgrading tables made by the previous migrations', () => {
    const sqliteFile = path.join(tmpdir(), `nest-session-upgrade-${randomBytes(4).toString('hex')}.sqlite`);
    afterAll(() => rmSync(sqliteFile, { force: true }));

    it('keeps every row and makes comparisons exact', async () => {
      const options: DataSourceOptions = db === 'sqlite' ? { type: 'better-sqlite3', database: sqliteFile } : testDatabaseOptions();
      const previous = SESSION_MIGRATIONS.filter((m) => new m().name !== 'ExactIdentifierCollation1763800000002');
      expect(previous).toHaveLength(SESSION_MIGRATIONS.length - 1);

      // The schema as the previous release left it, with the rows that release wrote.
      const old = new DataSource({ ...options, entities: SESSION_ENTITIES, migrations: previous, migrationsRun: true } as DataSourceOptions);
      await old.initialize();
      const acme = randomUUID();
      try {
        const now = Date.now();
        await old.getRepository(SessionEntity).insert(
          sampleSessionRecord({ sessionHandle: acme, userId: 'admin', tenantId: 'acme', accessTokenPayload: { mine: 'admin' }, sessionData: { kept: 'yes' }, createdAt: now, rotatedAt: now, expiresAt: now + 3_600_000 }) as SessionEntity,
        );
        await old.getRepository(RoleEntity).insert({ role: 'admin', createdAt: now });
        await old.getRepository(RolePermissionEntity).insert({ role: 'admin', permission: 'delete-all' });
        await old.getRepository(UserRoleEntity).insert({ tenantId: 'acme', userId: 'admin', role: 'admin' });
      } finally {
        await old.destroy();
      }

      // The new release: its migrations upgrade the tables at start.
      const upgraded = new DataSource({ ...options, entities: SESSION_ENTITIES, migrations: SESSION_MIGRATIONS, migrationsRun: true } as DataSourceOptions);
      await upgraded.initialize();
      let app: INestApplication | undefined;
      try {
        // The migration alone (before any app starts) made the comparisons exact.
        const grants = upgraded.getRepository(UserRoleEntity);
        await expect(grants.count({ where: { userId: 'admin' } })).resolves.toBe(1);
        for (const name of LOOK_ALIKES) await expect(grants.count({ where: { userId: name } })).resolves.toBe(0);
        app = await createTestApp('express', basicApp({ database: undefined, dataSource: upgraded }));
        expect(await upgraded.showMigrations()).toBe(false);
        await expect(app.get(SessionService).getSessionInformation(acme)).resolves.toMatchObject({
          userId: 'admin',
          tenantId: 'acme',
          sessionDataInDatabase: { kept: 'yes' },
          customClaimsInAccessTokenPayload: expect.objectContaining({ mine: 'admin' }),
        });
        await expect(app.get(UserRolesService).getPermissionsForRole('admin')).resolves.toEqual({ status: 'OK', permissions: ['delete-all'] });
        await expectExactIdentities(app, acme);
      } finally {
        await app?.close();
        await upgraded.destroy();
      }
    });
  });

  describe("an app DataSource (the app manages the schema)", () => {
    it('with synchronize: true, starts with exact identifier columns', async () => {
      const own = new DataSource({ ...testDatabaseOptions(), entities: SESSION_ENTITIES, synchronize: true } as DataSourceOptions);
      await own.initialize();
      let app: INestApplication | undefined;
      try {
        app = await createTestApp('express', basicApp({ database: undefined, dataSource: own }));
        const { acme } = await seedAdmin(app);
        await expectExactIdentities(app, acme);
      } finally {
        await app?.close();
        await own.destroy();
      }
    });

    const mysqlFamily = db === 'mysql' || db === 'mariadb';
    it(
      mysqlFamily
        ? 'made by an earlier synchronize, now without it and without the migrations: refused at start, naming the migration'
        : 'made by an earlier synchronize, now without it: starts, the default collation already compares exactly',
      async () => {
        const options = db === 'sqlite' ? { type: 'better-sqlite3' as const, database: path.join(tmpdir(), `nest-session-sync-${randomBytes(4).toString('hex')}.sqlite`) } : testDatabaseOptions();
        const earlier = new DataSource({ ...options, entities: SESSION_ENTITIES, synchronize: true } as DataSourceOptions);
        await earlier.initialize();
        await earlier.destroy();
        const own = new DataSource({ ...options, entities: SESSION_ENTITIES } as DataSourceOptions);
        await own.initialize();
        let app: INestApplication | undefined;
        try {
          const started = createTestApp('express', basicApp({ database: undefined, dataSource: own }));
          if (mysqlFamily) {
            await expect(started).rejects.toThrow(SessionConfigError);
            await expect(started).rejects.toThrow(/nest_session_sessions\.user_id.*ExactIdentifierCollation1763800000002/);
          } else {
            app = await started;
            const { acme } = await seedAdmin(app);
            await expectExactIdentities(app, acme);
          }
        } finally {
          await app?.close();
          await own.destroy();
          if (db === 'sqlite') rmSync((options as { database: string }).database, { force: true });
        }
      },
    );
  });
});
