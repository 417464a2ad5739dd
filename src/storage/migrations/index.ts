import type { MigrationInterface } from 'typeorm';
import { CreateSessionTables1763800000000 } from './1763800000000-create-session-tables';
import { CreateRoleTables1763800000001 } from './1763800000001-create-role-tables';
import { ExactIdentifierCollation1763800000002 } from './1763800000002-exact-identifier-collation';
import { AddSessionDeviceColumns1763800000100 } from './1763800000100-add-session-device-columns';
import { CreateSessionAuditTable1763800000101 } from './1763800000101-create-session-audit-table';
import { CreateFeedLog1763800000300 } from './1763800000300-create-feed-log';

export {
  CreateSessionTables1763800000000,
  CreateRoleTables1763800000001,
  ExactIdentifierCollation1763800000002,
  AddSessionDeviceColumns1763800000100,
  CreateSessionAuditTable1763800000101,
  CreateFeedLog1763800000300,
};

/**
 * The module's schema, as TypeORM migrations, oldest first; every class works on SQLite,
 * PostgreSQL and MySQL/MariaDB. Add them to your DataSource's `migrations` when you give the
 * module your own DataSource; a DataSource the module opens runs them itself at start.
 *
 * A schema change (a new entity, a new column) is one more class here, appended, with the next
 * timestamp; shipped classes never change. `test/e2e/storage-migrations.e2e-spec.ts` fails when
 * the entities and the migrations disagree.
 */
export const SESSION_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateSessionTables1763800000000,
  CreateRoleTables1763800000001,
  ExactIdentifierCollation1763800000002,
  AddSessionDeviceColumns1763800000100,
  CreateSessionAuditTable1763800000101,
  CreateFeedLog1763800000300,
];
