import { RolePermissionEntity } from './role-permission.entity';
import { RoleEntity } from './role.entity';
import { SessionAuditEntity } from './session-audit.entity';
import { SessionEntity } from './session.entity';
import { SigningKeyEntity } from './signing-key.entity';
import { UserRoleEntity } from './user-role.entity';

export { SessionEntity, SessionAuditEntity, SigningKeyEntity, RoleEntity, RolePermissionEntity, UserRoleEntity };

/** Every entity the module needs; list them in your DataSource if you do not use `autoLoadEntities`. */
export const SESSION_ENTITIES = [SessionEntity, SigningKeyEntity, RoleEntity, RolePermissionEntity, UserRoleEntity, SessionAuditEntity];
