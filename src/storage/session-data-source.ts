import { DataSource, type DataSourceOptions } from 'typeorm';
import { SessionConfigError } from '../errors/session-config-error';
import { checkDatabaseDriver } from './check-driver';
import { SESSION_ENTITIES } from './entities';
import { SessionEntity } from './entities/session.entity';
import { inexactIdentifierColumns, makeIdentifiersExact } from './exact-identifiers';
import { SESSION_MIGRATIONS } from './migrations';
import { runMigrationsLocked } from './run-migrations';

/** DataSources the module opened itself (and so must close). */
export const OWNED_DATA_SOURCES = new WeakSet<DataSource>();

/**
 * Injection token of an app DataSource resolved by `@nestjs/typeorm` connection name (the module
 * aliases `getDataSourceToken(dataSourceName)` to it when the `dataSourceName` extra is given).
 */
export const SESSION_APP_DATA_SOURCE = 'nest-session:app-data-source';

/** The name of the table that records which of the module's migrations ran on its own DataSource. */
export const SESSION_MIGRATIONS_TABLE = 'nest_session_migrations';

/** Where the TypeORM stores keep their tables (the storage part of the module's options). */
export interface DataSourceSettings {
  /** Options of a DataSource the module opens itself. */
  database: DataSourceOptions;
  /** The app's DataSource, used instead. */
  dataSource?: DataSource;
  /** Create the tables from the entities (tests, samples) instead of running migrations. */
  synchronize?: boolean;
}

/**
 * The app's DataSource when given (by `@nestjs/typeorm` name or as an instance), else one the
 * module opens from `database`. The module's own DataSource runs {@link SESSION_MIGRATIONS} at
 * start (under a database lock) unless `synchronize: true` (tests, samples) or
 * `database.migrationsRun: false` say otherwise.
 */
export async function openSessionDataSource(settings: DataSourceSettings, named?: DataSource): Promise<DataSource> {
  const given = named ?? settings.dataSource;
  if (given) return prepareAppDataSource(given, settings);
  checkDatabaseDriver(settings.database);
  const synchronize = settings.synchronize ?? settings.database.synchronize ?? false;
  const dataSource = new DataSource({
    ...settings.database,
    // The module's own DataSource holds only its tables: its migrations, whatever the options say.
    migrationsTableName: settings.database.migrationsTableName ?? SESSION_MIGRATIONS_TABLE,
    migrations: SESSION_MIGRATIONS,
    entities: [...SESSION_ENTITIES],
    synchronize,
    migrationsRun: false,
  } as DataSourceOptions);
  await dataSource.initialize();
  OWNED_DATA_SOURCES.add(dataSource);
  try {
    if (settings.database.migrationsRun ?? !synchronize) await runMigrationsLocked(dataSource);
    await identifiersExact(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

async function prepareAppDataSource(dataSource: DataSource, settings: DataSourceSettings): Promise<DataSource> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  if (!dataSource.hasMetadata(SessionEntity)) {
    throw new SessionConfigError(
      'the DataSource given to SessionModule does not know the session entities: add SESSION_ENTITIES to its entities (or use autoLoadEntities)',
    );
  }
  if (settings.synchronize) await dataSource.synchronize();
  if (settings.synchronize || dataSource.options.synchronize) {
    // Made from the entities: give the identifier columns what a decorator cannot say per server.
    await identifiersExact(dataSource);
    return dataSource;
  }
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable(dataSource.getMetadata(SessionEntity).tablePath))) {
      throw new SessionConfigError(
        `the DataSource given to SessionModule has no table "${dataSource.getMetadata(SessionEntity).tablePath}": add SESSION_MIGRATIONS to its migrations and run them (migrationsRun: true), or pass synchronize: true (tests only)`,
      );
    }
    // Tables an earlier `synchronize` made never ran the collation migration: refuse them rather
    // than let `ADMIN` share `admin`'s roles (the module never migrates an app's DataSource).
    const inexact = await inexactIdentifierColumns(runner);
    if (inexact.length > 0) {
      throw new SessionConfigError(
        `the DataSource given to SessionModule compares ${inexact.join(', ')} case- and accent-insensitively: run SESSION_MIGRATIONS (ExactIdentifierCollation1763800000002) on it, or pass synchronize: true (tests only)`,
      );
    }
  } finally {
    await runner.release();
  }
  return dataSource;
}

/**
 * MySQL/MariaDB identifier columns get their exact collation whatever made the tables
 * (`synchronize` creates them with the server's default, case- and accent-insensitive one).
 * Idempotent and a no-op elsewhere.
 */
async function identifiersExact(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await makeIdentifiersExact(runner);
  } finally {
    await runner.release();
  }
}
