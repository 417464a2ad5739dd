import type { DataSourceOptions } from 'typeorm';
import { SessionConfigError } from '../errors/session-config-error';
import { databaseFamily } from './database-family';

/** The npm package TypeORM loads for each driver type the module supports. */
const DRIVER_PACKAGES: Partial<Record<DataSourceOptions['type'], string>> = {
  'better-sqlite3': 'better-sqlite3',
  sqlite: 'sqlite3',
  postgres: 'pg',
  mysql: 'mysql2',
  mariadb: 'mysql2',
};

/**
 * Before the module opens its own DataSource: the driver type is one it supports (its own error,
 * not TypeORM's) and the driver's package is installed. `better-sqlite3` (the default storage)
 * is an optional peer, so a PostgreSQL or MySQL app never compiles it; an app that relies on the
 * default without installing it learns so here, at start, with the command that fixes it.
 * `resolve` is injectable only so the message can be checked without uninstalling a package.
 */
export function checkDatabaseDriver(options: DataSourceOptions, resolve: (id: string) => string = require.resolve): void {
  databaseFamily(options.type);
  const pkg = DRIVER_PACKAGES[options.type];
  if (!pkg || (options as { driver?: unknown }).driver !== undefined) return;
  try {
    resolve(pkg);
  } catch {
    const defaulted = options.type === 'better-sqlite3' ? ' (the default storage when no database option is given)' : '';
    throw new SessionConfigError(
      `SessionModule needs the "${pkg}" package for database type "${options.type}"${defaulted}: run \`npm install ${pkg}\`, or give another database / dataSource`,
    );
  }
}
