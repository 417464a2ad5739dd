import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { testDatabaseKind, testDatabaseOptions } from './database';

/**
 * One database several apps of a test use at once (a shared key table, say): a temporary SQLite
 * file (an in-memory database is private to its connection), else a fresh schema/database of the
 * matrix server. `remove()` deletes the SQLite file; server databases go with the run's teardown.
 */
export function sharedTestDatabase(): { options: DataSourceOptions; remove(): void } {
  if (testDatabaseKind() !== 'sqlite') return { options: testDatabaseOptions(), remove: () => undefined };
  const file = path.join(tmpdir(), `nst-shared-${process.pid}-${randomBytes(4).toString('hex')}.sqlite`);
  return {
    options: { type: 'better-sqlite3', database: file },
    remove: () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
    },
  };
}
