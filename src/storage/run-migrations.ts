import { createHash } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { databaseFamily } from './database-family';

/** How long an instance waits for another one's migrations on MySQL/MariaDB. */
const MYSQL_LOCK_TIMEOUT_SECONDS = 300;

/**
 * Runs the DataSource's pending migrations while holding a database lock, so app instances that
 * start at the same moment on one database migrate once, one after the other (PostgreSQL
 * session-level `pg_advisory_lock`, MySQL/MariaDB `GET_LOCK`; SQLite: one process, no lock). The
 * lock is keyed by database and schema, so unrelated schemas do not wait for each other.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<void> {
  const family = databaseFamily(dataSource.options.type);
  if (family === 'sqlite') {
    await dataSource.runMigrations();
    return;
  }
  const options = dataSource.options as { database?: string; schema?: string };
  const key = `nest-session-migrations:${options.database ?? ''}:${options.schema ?? ''}`;
  const lock = family === 'postgres' ? postgresLock(key) : mysqlLock(key);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await lock.acquire(runner);
    try {
      await dataSource.runMigrations();
    } finally {
      await lock.release(runner);
    }
  } finally {
    await runner.release();
  }
}

interface MigrationLock {
  acquire(runner: QueryRunner): Promise<void>;
  release(runner: QueryRunner): Promise<void>;
}

function postgresLock(key: string): MigrationLock {
  return {
    acquire: async (runner) => void (await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key])),
    release: async (runner) => void (await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key])),
  };
}

function mysqlLock(key: string): MigrationLock {
  // GET_LOCK names are server-wide and at most 64 characters.
  const name = `nest_session_mig_${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
  return {
    acquire: async (runner) => {
      const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS locked', [name, MYSQL_LOCK_TIMEOUT_SECONDS]);
      if (Number(row?.locked) !== 1) throw new Error(`nest-session: timed out waiting for the migration lock ${name}`);
    },
    release: async (runner) => void (await runner.query('SELECT RELEASE_LOCK(?)', [name])),
  };
}
