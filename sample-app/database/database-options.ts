import type { DataSourceOptions } from 'typeorm';
import type { SampleConfig } from '../config/sample-config';

/**
 * The one SQLite file of the sample app, opened once by `@nestjs/typeorm`: the users table and
 * the session tables (`SessionModule` with `dataSourceName: 'default'`) both live in it.
 */
export function sampleDatabaseOptions(config: SampleConfig): DataSourceOptions {
  return { type: 'better-sqlite3', database: config.databaseFile };
}
