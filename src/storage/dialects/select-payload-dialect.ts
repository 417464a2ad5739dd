import type { DataSource } from 'typeorm';
import { SessionConfigError } from '../../errors/session-config-error';
import type { PayloadDialect } from './payload-dialect';
import { SqlitePayloadDialect } from './sqlite-payload-dialect';

/** Picks the payload SQL for the DataSource's driver, once, at start. */
export function selectPayloadDialect(dataSource: DataSource): PayloadDialect {
  switch (dataSource.options.type) {
    case 'better-sqlite3':
    case 'sqlite':
      return new SqlitePayloadDialect();
    default:
      throw new SessionConfigError(
        `nest-session does not support the "${dataSource.options.type}" driver (supported: better-sqlite3, sqlite)`,
      );
  }
}
