// Rule: the module's own DataSource fails at start with the module's message when the driver
// type is unsupported or its package (better-sqlite3 is an optional peer) is not installed.
// The "not installed" case is also proven for real by scripts/smoke-pack.js (fresh apps
// without better-sqlite3); here a resolver that finds nothing stands for the missing package.
import type { DataSourceOptions } from 'typeorm';
import { SessionConfigError } from '../../../src/errors/session-config-error';
import { checkDatabaseDriver } from '../../../src/storage/check-driver';

const nothingInstalled = (id: string): string => {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
};

describe('checkDatabaseDriver', () => {
  it('names the package and the install command when the default better-sqlite3 is missing', () => {
    const run = () => checkDatabaseDriver({ type: 'better-sqlite3', database: 'sessions.sqlite' }, nothingInstalled);
    expect(run).toThrow(SessionConfigError);
    expect(run).toThrow('SessionModule needs the "better-sqlite3" package for database type "better-sqlite3" (the default storage when no database option is given): run `npm install better-sqlite3`');
  });

  it('names pg for postgres and mysql2 for mariadb', () => {
    expect(() => checkDatabaseDriver({ type: 'postgres' }, nothingInstalled)).toThrow('`npm install pg`');
    expect(() => checkDatabaseDriver({ type: 'mariadb' }, nothingInstalled)).toThrow('`npm install mysql2`');
  });

  it('passes when the package resolves (the real resolver: better-sqlite3, pg and mysql2 are dev dependencies here)', () => {
    expect(() => checkDatabaseDriver({ type: 'better-sqlite3', database: ':memory:' })).not.toThrow();
    expect(() => checkDatabaseDriver({ type: 'postgres' })).not.toThrow();
    expect(() => checkDatabaseDriver({ type: 'mysql' })).not.toThrow();
  });

  it('rejects an unsupported driver type with the supported list, before looking for a package', () => {
    expect(() => checkDatabaseDriver({ type: 'mssql' } as DataSourceOptions, nothingInstalled)).toThrow(
      'nest-session does not support the "mssql" driver (supported: better-sqlite3, sqlite, postgres, mysql, mariadb)',
    );
  });
});
