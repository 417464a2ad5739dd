import type { DataSource } from 'typeorm';
import type { SessionModuleOptions } from '../../src';
import type { SampleConfig } from '../config/sample-config';
import { sampleDatabaseOptions } from '../database/database-options';

/**
 * How the sample app configures sessions. Everything not set here keeps the library's
 * SuperTokens defaults (header mode unless `st-auth-mode: cookie`, routes under `/auth`).
 *
 * Storage: the module opens its own DataSource on the app's SQLite file. The app's DataSource
 * is passed in so this runs after it has synchronised its schema (two schema syncs on one
 * SQLite file must not overlap); to share that DataSource instead of opening a second one,
 * pass `dataSource: appDataSource` in place of `database`.
 */
export function sampleSessionOptions(config: SampleConfig, _appDataSource: DataSource): SessionModuleOptions {
  return {
    database: sampleDatabaseOptions(config),
    synchronize: true,
    accessTokenValidity: config.accessTokenValidity,
  };
}
