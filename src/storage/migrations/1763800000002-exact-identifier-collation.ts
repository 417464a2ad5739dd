import type { MigrationInterface, QueryRunner } from 'typeorm';
import { makeIdentifiersExact, restoreDefaultIdentifierCollation } from '../exact-identifiers';

/**
 * MySQL/MariaDB: user ids, tenant ids, roles, permissions and handles compare byte for byte
 * (a NO PAD binary collation chosen by the server), so `ADMIN`, `ádmin` or `admin ` is never
 * `admin`. Upgrades existing tables in place, rows kept. A no-op on SQLite and PostgreSQL.
 */
export class ExactIdentifierCollation1763800000002 implements MigrationInterface {
  name = 'ExactIdentifierCollation1763800000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await makeIdentifiersExact(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await restoreDefaultIdentifierCollation(queryRunner);
  }
}
