import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { basicApp, BasicController } from '../fixtures/basic.app';
import { testDatabaseKind, testDatabaseOptions } from '../support/database';
import { createTestApp } from '../support/platforms';
import {
  SESSION_DATA_SOURCE,
  SESSION_ENTITIES,
  SESSION_MIGRATIONS,
  SESSION_MIGRATIONS_TABLE,
  SessionConfigError,
  SessionModule,
  SessionService,
  SessionStore,
} from '../../src';
import { TABLES } from '../../src/storage/table-names';
import { runMigrationsLocked } from '../../src/storage/run-migrations';

/**
 * The shipped migrations create the schema on an empty database
 * (whichever `TEST_DB` names: SQLite, PostgreSQL or MariaDB/MySQL), exactly the entities' schema
 * (so `synchronize` afterwards is a no-op), and the module works on the result. Also: the app's
 * own DataSource, as an instance or a `@nestjs/typeorm` connection name, is reused, not copied.
 */
const db = testDatabaseKind();

/** The statements `synchronize` would run now; empty when the schema matches the entities. */
async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}

/**
 * What `synchronize` still wants on a database it made itself: none, except for TypeORM's own
 * false positives (driver type `mysql` against a MariaDB server re-alters nullable columns on
 * every run; use type `mariadb` there). Migrated databases must show exactly the same.
 */
let selfSyncBaseline: string[] = [];
beforeAll(async () => {
  const synchronized = new DataSource({ ...testDatabaseOptions(), entities: SESSION_ENTITIES, synchronize: true } as DataSourceOptions);
  await synchronized.initialize();
  try {
    selfSyncBaseline = await pendingSchemaChanges(synchronized);
  } finally {
    await synchronized.destroy();
  }
  if (db !== 'mysql') expect(selfSyncBaseline).toEqual([]);
});

/** Indexes and unique constraints of a table, by name (MySQL reports uniques as unique indexes). */
async function constraintNames(dataSource: DataSource, table: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const loaded = await runner.getTable(dataSource.getMetadata(table).tablePath);
    return [...(loaded?.indices ?? []).map((i) => i.name!), ...(loaded?.uniques ?? []).map((u) => u.name!)].sort();
  } finally {
    await runner.release();
  }
}

/** Create, verify, refresh, merge (offline and through the store), session data, revoke. */
async function exerciseSessions(app: INestApplication): Promise<void> {
  const sessions = app.get(SessionService);
  const store = app.get<SessionStore>(SessionStore);
  const created = await sessions.createNewSessionWithoutRequestResponse('public', 'migrated-user', { role: 'user' }, { secret: 1 });
  const handle = created.getHandle();
  const tokens = created.getAllSessionTokensDangerously();

  const verified = await sessions.getSessionWithoutRequestResponse(tokens.accessToken, undefined, { checkDatabase: true });
  expect(verified.getUserId()).toBe('migrated-user');

  const refreshed = await sessions.refreshSessionWithoutRequestResponse(tokens.refreshToken!);
  const next = refreshed.getAllSessionTokensDangerously();
  expect(next.refreshToken).toBeDefined();
  expect(next.refreshToken).not.toBe(tokens.refreshToken);

  expect(await sessions.mergeIntoAccessTokenPayload(handle, { role: 'admin', nested: { a: null, b: [1, null] } })).toBe(true);
  const merged = await store.mergePayload(handle, { extra: 'x', role: null }, Date.now());
  expect(merged?.payload).toMatchObject({ nested: { a: null, b: [1, null] }, extra: 'x' });
  expect(merged?.payload).not.toHaveProperty('role');

  const info = await sessions.getSessionInformation(handle);
  expect(info).toMatchObject({
    sessionHandle: handle,
    userId: 'migrated-user',
    tenantId: 'public',
    sessionDataInDatabase: { secret: 1 },
    customClaimsInAccessTokenPayload: { nested: { a: null, b: [1, null] }, extra: 'x' },
  });
  expect(info!.customClaimsInAccessTokenPayload).not.toHaveProperty('role');
  expect(typeof info!.expiry).toBe('number');
  expect(typeof info!.timeCreated).toBe('number');

  expect(await sessions.updateSessionDataInDatabase(handle, { secret: 2 })).toBe(true);
  // Same data again: still "the session exists" (MySQL must count matched, not changed, rows).
  expect(await sessions.updateSessionDataInDatabase(handle, { secret: 2 })).toBe(true);

  expect(await sessions.getAllSessionHandlesForUser('migrated-user')).toEqual([handle]);
  expect(await sessions.revokeSession(handle)).toBe(true);
  await expect(sessions.getSessionWithoutRequestResponse(next.accessToken, undefined, { checkDatabase: true })).rejects.toBeDefined();
  expect(await sessions.getSessionInformation(handle)).toBeUndefined();
}

describe(`storage migrations (${db})`, () => {
  describe('a DataSource the module opens runs the shipped migrations (no synchronize)', () => {
    let app: INestApplication;
    let dataSource: DataSource;
    beforeAll(async () => {
      app = await createTestApp('express', basicApp());
      dataSource = app.get(SESSION_DATA_SOURCE);
    });
    afterAll(() => app?.close());

    it('ran every migration once, in order, recorded in its own migrations table', async () => {
      expect(dataSource.options.synchronize).toBe(false);
      expect(dataSource.options.migrationsTableName).toBe(SESSION_MIGRATIONS_TABLE);
      expect(await dataSource.showMigrations()).toBe(false);
      const table = dataSource.driver.escape(SESSION_MIGRATIONS_TABLE);
      const schema = (dataSource.options as { schema?: string }).schema;
      const path = schema ? `${dataSource.driver.escape(schema)}.${table}` : table;
      const rows: Array<{ name: string }> = await dataSource.query(`SELECT name FROM ${path} ORDER BY id`);
      expect(rows.map((r) => r.name)).toEqual(SESSION_MIGRATIONS.map((m) => new m().name));
    });

    it('made exactly the schema of the entities: synchronize has nothing to do', async () => {
      expect(await pendingSchemaChanges(dataSource)).toEqual(selfSyncBaseline);
      await dataSource.synchronize();
      expect(await pendingSchemaChanges(dataSource)).toEqual(selfSyncBaseline);
    });

    it('named the indexes and the signing-key unique constraint as the entities do', async () => {
      expect(await constraintNames(dataSource, TABLES.sessions)).toEqual(['idx_nest_session_expires', 'idx_nest_session_user']);
      expect(await constraintNames(dataSource, TABLES.signingKeys)).toEqual(['uq_nest_session_key_generation']);
    });

    it('stores epoch-ms bigints as numbers and JSON columns as objects', async () => {
      const sessions = app.get(SessionService);
      const store = app.get<SessionStore>(SessionStore);
      const before = Date.now();
      const session = await sessions.createNewSessionWithoutRequestResponse('t1', 'hydration', { n: 1.5, s: 'é"\\', b: false, a: [] }, { deep: { x: [{}] } });
      const record = await store.find(session.getHandle(), Date.now());
      expect(record).toBeDefined();
      for (const ms of [record!.createdAt, record!.expiresAt, record!.rotatedAt]) {
        expect(typeof ms).toBe('number');
        expect(ms).toBeGreaterThanOrEqual(before - 1000);
      }
      expect(record!.accessTokenPayload).toMatchObject({ n: 1.5, s: 'é"\\', b: false, a: [] });
      expect(record!.sessionData).toEqual({ deep: { x: [{}] } });
      expect(typeof record!.payloadVersion).toBe('number');
    });

    it('serves create, verify, refresh, merge, session data and revoke on the migrated schema', async () => {
      await exerciseSessions(app);
    });
  });

  describe('the migrations on a bare DataSource', () => {
    let options: DataSourceOptions;
    const opened: DataSource[] = [];
    const open = async (): Promise<DataSource> => {
      const dataSource = new DataSource({ ...options, entities: SESSION_ENTITIES, migrations: SESSION_MIGRATIONS, migrationsRun: false } as DataSourceOptions);
      await dataSource.initialize();
      opened.push(dataSource);
      return dataSource;
    };
    beforeAll(() => {
      options = testDatabaseOptions();
    });
    afterAll(async () => {
      for (const d of opened) if (d.isInitialized) await d.destroy();
    });

    it('run once when several instances start together on one empty database (migration lock)', async () => {
      if (db === 'sqlite') return; // an in-memory SQLite database belongs to one DataSource
      const instances = await Promise.all([open(), open(), open()]);
      await Promise.all(instances.map((d) => runMigrationsLocked(d)));
      for (const d of instances) expect(await d.showMigrations()).toBe(false);
      expect(await pendingSchemaChanges(instances[0])).toEqual(selfSyncBaseline);
    });

    it('undo to an empty database and redo to the same schema', async () => {
      const dataSource = await open();
      await dataSource.runMigrations();
      expect(await pendingSchemaChanges(dataSource)).toEqual(selfSyncBaseline);
      for (let i = 0; i < SESSION_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      const runner = dataSource.createQueryRunner();
      try {
        for (const table of Object.values(TABLES)) expect(await runner.hasTable(dataSource.getMetadata(table).tablePath)).toBe(false);
      } finally {
        await runner.release();
      }
      await dataSource.runMigrations();
      expect(await pendingSchemaChanges(dataSource)).toEqual(selfSyncBaseline);
    });

    it('adopt tables an earlier synchronize created (ifNotExist), so upgrading a synchronize-made database works', async () => {
      const dataSource = new DataSource({ ...testDatabaseOptions(), entities: SESSION_ENTITIES, migrations: SESSION_MIGRATIONS, synchronize: true } as DataSourceOptions);
      await dataSource.initialize();
      opened.push(dataSource);
      await dataSource.runMigrations();
      expect(await dataSource.showMigrations()).toBe(false);
      expect(await pendingSchemaChanges(dataSource)).toEqual(selfSyncBaseline);
    });
  });

  describe("the app's DataSource instance with SESSION_MIGRATIONS in its migrations", () => {
    let app: INestApplication;
    let appDataSource: DataSource;
    beforeAll(async () => {
      appDataSource = new DataSource({
        ...testDatabaseOptions(),
        entities: SESSION_ENTITIES,
        migrations: SESSION_MIGRATIONS,
        migrationsRun: true,
      } as DataSourceOptions);
      app = await createTestApp('express', basicApp({ database: undefined, dataSource: appDataSource }));
    });
    afterAll(async () => {
      await app?.close();
      if (appDataSource.isInitialized) await appDataSource.destroy();
    });

    it('is used as it is (one pool), migrated by the app, and left open for the app to close', async () => {
      expect(app.get(SESSION_DATA_SOURCE)).toBe(appDataSource);
      expect(await appDataSource.showMigrations()).toBe(false);
      expect(await pendingSchemaChanges(appDataSource)).toEqual(selfSyncBaseline);
      await exerciseSessions(app);
    });
  });

  describe('a @nestjs/typeorm DataSource by connection name (autoLoadEntities)', () => {
    describe.each([
      ['the default connection, forRoot', 'default', undefined, false],
      ['a named connection, forRoot', 'sessions', 'sessions', false],
      ['a named connection, forRootAsync', 'sessions', 'sessions', true],
    ])('%s', (_label, dataSourceName, connectionName, async) => {
      let app: INestApplication;
      beforeAll(async () => {
        const sessionModule = async
          ? SessionModule.forRootAsync({ dataSourceName, useFactory: async () => ({ cleanupInterval: 0 }) })
          : SessionModule.forRoot({ dataSourceName, cleanupInterval: 0 });
        app = await createTestApp('express', {
          imports: [
            TypeOrmModule.forRoot({
              ...testDatabaseOptions(),
              name: connectionName,
              autoLoadEntities: true,
              migrations: SESSION_MIGRATIONS,
              migrationsRun: true,
            } as unknown as DataSourceOptions),
            sessionModule,
          ],
          controllers: [BasicController],
        });
      });
      afterAll(() => app?.close());

      it("stores sessions in the app's DataSource, whose entities include the module's", async () => {
        const appDataSource = app.get<DataSource>(getDataSourceToken(dataSourceName));
        expect(app.get(SESSION_DATA_SOURCE)).toBe(appDataSource);
        for (const entity of SESSION_ENTITIES) expect(appDataSource.hasMetadata(entity)).toBe(true);
        expect(await pendingSchemaChanges(appDataSource)).toEqual(selfSyncBaseline);
        await exerciseSessions(app);
      });
    });
  });

  describe('an app DataSource that was never migrated', () => {
    it('is refused at start with a message that names SESSION_MIGRATIONS', async () => {
      const appDataSource = new DataSource({ ...testDatabaseOptions(), entities: SESSION_ENTITIES } as DataSourceOptions);
      try {
        const started = createTestApp('express', basicApp({ database: undefined, dataSource: appDataSource }));
        await expect(started).rejects.toThrow(SessionConfigError);
        await expect(started).rejects.toThrow(/SESSION_MIGRATIONS/);
      } finally {
        if (appDataSource.isInitialized) await appDataSource.destroy();
      }
    });
  });
});
