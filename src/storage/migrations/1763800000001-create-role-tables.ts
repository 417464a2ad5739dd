import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TABLES } from '../table-names';
import { portableTable } from './portable-table';

/** Roles, their permissions and the roles of users per tenant (`UserRolesService`). */
export class CreateRoleTables1763800000001 implements MigrationInterface {
  name = 'CreateRoleTables1763800000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      portableTable(queryRunner, {
        name: TABLES.roles,
        columns: [
          { name: 'role', type: 'varchar', length: '255', isPrimary: true },
          { name: 'created_at', type: 'bigint' },
        ],
      }),
      true,
    );
    await queryRunner.createTable(
      portableTable(queryRunner, {
        name: TABLES.rolePermissions,
        columns: [
          { name: 'role', type: 'varchar', length: '255', isPrimary: true },
          { name: 'permission', type: 'varchar', length: '255', isPrimary: true },
        ],
        indices: [{ name: 'idx_nest_session_role_permission', columnNames: ['permission'] }],
      }),
      true,
    );
    await queryRunner.createTable(
      portableTable(queryRunner, {
        name: TABLES.userRoles,
        columns: [
          { name: 'tenant_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '255', isPrimary: true },
          { name: 'role', type: 'varchar', length: '255', isPrimary: true },
        ],
        indices: [{ name: 'idx_nest_session_user_roles_role', columnNames: ['tenant_id', 'role'] }],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(TABLES.userRoles, true);
    await queryRunner.dropTable(TABLES.rolePermissions, true);
    await queryRunner.dropTable(TABLES.roles, true);
  }
}
