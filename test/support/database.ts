import type { DataSourceOptions } from 'typeorm';

/**
 * Database options for one test app. Every e2e fixture takes its database from here, so the
 * same suite can run on each database of the matrix (`TEST_DB`, default SQLite in memory).
 */
export function testDatabaseOptions(): DataSourceOptions {
  return { type: 'better-sqlite3', database: ':memory:' };
}
