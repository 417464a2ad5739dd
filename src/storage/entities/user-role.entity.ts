import { Entity, Index, PrimaryColumn } from 'typeorm';
import { TABLES } from '../table-names';

/** A role granted to a user in one tenant. */
@Entity({ name: TABLES.userRoles })
@Index('idx_nest_session_user_roles_role', ['tenantId', 'role'])
export class UserRoleEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @PrimaryColumn({ name: 'role', type: 'varchar', length: 255 })
  role!: string;
}
