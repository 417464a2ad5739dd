import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TABLES } from '../table-names';
import { portableTable } from './portable-table';

/** The session audit log (`auditLog: true`): one row per lifecycle event. */
export class CreateSessionAuditTable1763800000101 implements MigrationInterface {
  name = 'CreateSessionAuditTable1763800000101';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      portableTable(queryRunner, {
        name: TABLES.audit,
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'at', type: 'bigint' },
          { name: 'type', type: 'varchar', length: '32' },
          { name: 'reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'session_handle', type: 'varchar', length: '36', isNullable: true },
          { name: 'user_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'tenant_id', type: 'varchar', length: '128', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
        ],
        indices: [
          { name: 'idx_nest_session_audit_user', columnNames: ['user_id', 'at'] },
          { name: 'idx_nest_session_audit_at', columnNames: ['at'] },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(TABLES.audit, true);
  }
}
