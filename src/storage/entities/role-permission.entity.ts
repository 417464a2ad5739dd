import { Entity, Index, PrimaryColumn } from 'typeorm';
import { TABLES } from '../table-names';

/** A permission a role carries. */
@Entity({ name: TABLES.rolePermissions })
@Index('idx_nest_session_role_permission', ['permission'])
export class RolePermissionEntity {
  @PrimaryColumn({ name: 'role', type: 'varchar', length: 255 })
  role!: string;

  @PrimaryColumn({ name: 'permission', type: 'varchar', length: 255 })
  permission!: string;
}
