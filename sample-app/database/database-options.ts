import type { DataSourceOptions } from 'typeorm';
import type { SampleConfig } from '../config/sample-config';

/**
 * The one SQLite file of the sample app. The users table (through `@nestjs/typeorm`) and the
 * session tables (through `SessionModule`'s own DataSource) both live in it.
 */
export function sampleDatabaseOptions(config: SampleConfig): DataSourceOptions {
  return { type: 'better-sqlite3', database: config.databaseFile };
}
