import type { DataSourceOptions } from 'typeorm';
import { SessionConfigError } from '../errors/session-config-error';

/** The SQL dialects the storage layer speaks; every supported TypeORM driver maps to one. */
export type DatabaseFamily = 'sqlite' | 'postgres' | 'mysql';

const FAMILIES: Partial<Record<DataSourceOptions['type'], DatabaseFamily>> = {
  'better-sqlite3': 'sqlite',
  sqlite: 'sqlite',
  postgres: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

/** The family of a TypeORM driver type; a clear error for drivers the module does not support. */
export function databaseFamily(type: DataSourceOptions['type']): DatabaseFamily {
  const family = FAMILIES[type];
  if (!family) {
    throw new SessionConfigError(
      `nest-session does not support the "${type}" driver (supported: ${Object.keys(FAMILIES).join(', ')})`,
    );
  }
  return family;
}

/** A JSON column as a driver returned it: text on SQLite and MariaDB, already parsed on pg and MySQL. */
export function parseJsonColumn<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
