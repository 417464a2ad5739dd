import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TABLES } from '../table-names';
import { portableTable } from './portable-table';

/**
 * Sessions and signing keys. Written with TypeORM's `Table` API, so one class serves SQLite,
 * PostgreSQL and MySQL/MariaDB, honours the DataSource's `schema`, and produces exactly what
 * `synchronize` would (names of indexes and constraints as in the entities), so `synchronize` on
 * a migrated database changes nothing. `ifNotExist` adopts tables an earlier `synchronize` made.
 */
export class CreateSessionTables1763800000000 implements MigrationInterface {
  name = 'CreateSessionTables1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      portableTable(queryRunner, {
        name: TABLES.sessions,
        columns: [
          { name: 'session_handle', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '255' },
          { name: 'tenant_id', type: 'varchar', length: '128' },
          { name: 'refresh_hash', type: 'varchar', length: '64' },
          { name: 'refresh_generation', type: 'int' },
          { name: 'refresh_salt', type: 'varchar', length: '64' },
          { name: 'rotated_at', type: 'bigint' },
          { name: 'anti_csrf_token', type: 'varchar', length: '64', isNullable: true },
          { name: 'access_token_payload', type: 'json' },
          { name: 'session_data', type: 'json' },
          { name: 'payload_version', type: 'int', default: '1' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [
          { name: 'idx_nest_session_user', columnNames: ['user_id', 'tenant_id'] },
          { name: 'idx_nest_session_expires', columnNames: ['expires_at'] },
        ],
      }),
      true,
    );
    await queryRunner.createTable(
      portableTable(queryRunner, {
        name: TABLES.signingKeys,
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'algorithm', type: 'varchar', length: '16' },
          { name: 'generation', type: 'int' },
          { name: 'public_jwk', type: 'text' },
          { name: 'private_jwk', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
        // Racing instances insert the same (algorithm, generation): exactly one wins.
        uniques: [{ name: 'uq_nest_session_key_generation', columnNames: ['algorithm', 'generation'] }],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(TABLES.signingKeys, true);
    await queryRunner.dropTable(TABLES.sessions, true);
  }
}
