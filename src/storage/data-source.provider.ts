import type { Provider } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { SessionConfig } from '../config/session-config';
import { SessionConfigError } from '../errors/session-config-error';
import { SESSION_CONFIG } from '../config/injection-tokens';
import { SESSION_DATA_SOURCE } from './injection-tokens';
import { SESSION_ENTITIES } from './entities';
import { SessionEntity } from './entities/session.entity';
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

/**
 * The app's DataSource when given (by `@nestjs/typeorm` name or as an instance), else one the
 * module opens from `database`. The module's own DataSource runs {@link SESSION_MIGRATIONS} at
 * start (under a database lock) unless `synchronize: true` (tests, samples) or
 * `database.migrationsRun: false` say otherwise.
 */
export const sessionDataSourceProvider: Provider = {
  provide: SESSION_DATA_SOURCE,
  inject: [SESSION_CONFIG, { token: SESSION_APP_DATA_SOURCE, optional: true }],
  useFactory: async (config: SessionConfig, named?: DataSource): Promise<DataSource> => {
    const given = named ?? config.dataSource;
    if (given) return prepareAppDataSource(given, config);
    const synchronize = config.synchronize ?? config.database.synchronize ?? false;
    const dataSource = new DataSource({
      ...config.database,
      // The module's own DataSource holds only its tables: its migrations, whatever the options say.
      migrationsTableName: config.database.migrationsTableName ?? SESSION_MIGRATIONS_TABLE,
      migrations: SESSION_MIGRATIONS,
      entities: [...SESSION_ENTITIES],
      synchronize,
      migrationsRun: false,
    } as DataSourceOptions);
    await dataSource.initialize();
    OWNED_DATA_SOURCES.add(dataSource);
    try {
      if (config.database.migrationsRun ?? !synchronize) await runMigrationsLocked(dataSource);
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
    return dataSource;
  },
};

async function prepareAppDataSource(dataSource: DataSource, config: SessionConfig): Promise<DataSource> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  if (!dataSource.hasMetadata(SessionEntity)) {
    throw new SessionConfigError(
      'the DataSource given to SessionModule does not know the session entities: add SESSION_ENTITIES to its entities (or use autoLoadEntities)',
    );
  }
  if (config.synchronize) {
    await dataSource.synchronize();
    return dataSource;
  }
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable(dataSource.getMetadata(SessionEntity).tablePath))) {
      throw new SessionConfigError(
        `the DataSource given to SessionModule has no table "${dataSource.getMetadata(SessionEntity).tablePath}": add SESSION_MIGRATIONS to its migrations and run them (migrationsRun: true), or pass synchronize: true (tests only)`,
      );
    }
  } finally {
    await runner.release();
  }
  return dataSource;
}
