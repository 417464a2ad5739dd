import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, type Repository } from 'typeorm';
import { SESSION_DATA_SOURCE } from '../storage/injection-tokens';
import { RolePermissionEntity } from '../storage/entities/role-permission.entity';
import { RoleEntity } from '../storage/entities/role.entity';
import { UserRoleEntity } from '../storage/entities/user-role.entity';

/** Answer when a role named in a call does not exist (SuperTokens' shape). */
export interface UnknownRoleError {
  status: 'UNKNOWN_ROLE_ERROR';
}

const UNKNOWN_ROLE: UnknownRoleError = { status: 'UNKNOWN_ROLE_ERROR' };

/**
 * Roles, their permissions, and the roles of users per tenant, stored with TypeORM next to the
 * sessions. Method names and answers follow SuperTokens' UserRoles recipe. Granting a role does
 * not touch sessions: `UserRoleClaim` / `PermissionClaim` validators refetch when stale.
 */
@Injectable()
export class UserRolesService {
  private readonly roles: Repository<RoleEntity>;
  private readonly permissions: Repository<RolePermissionEntity>;
  private readonly userRoles: Repository<UserRoleEntity>;

  constructor(@Inject(SESSION_DATA_SOURCE) dataSource: DataSource) {
    this.roles = dataSource.getRepository(RoleEntity);
    this.permissions = dataSource.getRepository(RolePermissionEntity);
    this.userRoles = dataSource.getRepository(UserRoleEntity);
  }

  /** Creates a role (if new) and adds permissions to it. */
  async createNewRoleOrAddPermissions(role: string, permissions: string[] = []): Promise<{ status: 'OK'; createdNewRole: boolean }> {
    assertName('role', role);
    permissions.forEach((p) => assertName('permission', p));
    const existed = await this.roleExists(role);
    if (!existed) {
      await this.roles.createQueryBuilder().insert().into(RoleEntity).values({ role, createdAt: Date.now() }).orIgnore().execute();
    }
    const unique = [...new Set(permissions)];
    if (unique.length > 0) {
      await this.permissions
        .createQueryBuilder()
        .insert()
        .into(RolePermissionEntity)
        .values(unique.map((permission) => ({ role, permission })))
        .orIgnore()
        .execute();
    }
    return { status: 'OK', createdNewRole: !existed };
  }

  /** Permissions of a role. */
  async getPermissionsForRole(role: string): Promise<{ status: 'OK'; permissions: string[] } | UnknownRoleError> {
    if (!(await this.roleExists(role))) return UNKNOWN_ROLE;
    const rows = await this.permissions.find({ where: { role }, order: { permission: 'ASC' } });
    return { status: 'OK', permissions: rows.map((r) => r.permission) };
  }

  /** Removes permissions from a role. */
  async removePermissionsFromRole(role: string, permissions: string[]): Promise<{ status: 'OK' } | UnknownRoleError> {
    if (!(await this.roleExists(role))) return UNKNOWN_ROLE;
    if (permissions.length > 0) await this.permissions.delete({ role, permission: In(permissions) });
    return { status: 'OK' };
  }

  /** Roles that carry a permission. */
  async getRolesThatHavePermission(permission: string): Promise<{ status: 'OK'; roles: string[] }> {
    const rows = await this.permissions.find({ where: { permission }, order: { role: 'ASC' } });
    return { status: 'OK', roles: rows.map((r) => r.role) };
  }

  /** Deletes a role, its permissions and every grant of it. */
  async deleteRole(role: string): Promise<{ status: 'OK'; didRoleExist: boolean }> {
    const existed = await this.roleExists(role);
    // Grants and permissions first: a failure half-way never leaves grants of a missing role.
    await this.userRoles.delete({ role });
    await this.permissions.delete({ role });
    await this.roles.delete({ role });
    return { status: 'OK', didRoleExist: existed };
  }

  /** Every role. */
  async getAllRoles(): Promise<{ status: 'OK'; roles: string[] }> {
    const rows = await this.roles.find({ order: { role: 'ASC' } });
    return { status: 'OK', roles: rows.map((r) => r.role) };
  }

  /** Grants a role to a user in a tenant. */
  async addRoleToUser(
    tenantId: string,
    userId: string,
    role: string,
  ): Promise<{ status: 'OK'; didUserAlreadyHaveRole: boolean } | UnknownRoleError> {
    if (!(await this.roleExists(role))) return UNKNOWN_ROLE;
    const had = await this.userRoles.exists({ where: { tenantId, userId, role } });
    if (!had) await this.userRoles.createQueryBuilder().insert().into(UserRoleEntity).values({ tenantId, userId, role }).orIgnore().execute();
    return { status: 'OK', didUserAlreadyHaveRole: had };
  }

  /** Takes a role from a user in a tenant. */
  async removeUserRole(tenantId: string, userId: string, role: string): Promise<{ status: 'OK'; didUserHaveRole: boolean } | UnknownRoleError> {
    if (!(await this.roleExists(role))) return UNKNOWN_ROLE;
    const result = await this.userRoles.delete({ tenantId, userId, role });
    return { status: 'OK', didUserHaveRole: (result.affected ?? 0) > 0 };
  }

  /** Roles of a user in a tenant. */
  async getRolesForUser(tenantId: string, userId: string): Promise<{ status: 'OK'; roles: string[] }> {
    const rows = await this.userRoles.find({ where: { tenantId, userId }, order: { role: 'ASC' } });
    return { status: 'OK', roles: rows.map((r) => r.role) };
  }

  /** Users that have a role in a tenant. */
  async getUsersThatHaveRole(tenantId: string, role: string): Promise<{ status: 'OK'; users: string[] } | UnknownRoleError> {
    if (!(await this.roleExists(role))) return UNKNOWN_ROLE;
    const rows = await this.userRoles.find({ where: { tenantId, role }, order: { userId: 'ASC' } });
    return { status: 'OK', users: rows.map((r) => r.userId) };
  }

  /** Roles and the union of their permissions, in one query (what the session claims need). */
  async getRolesAndPermissionsForUser(tenantId: string, userId: string): Promise<{ roles: string[]; permissions: string[] }> {
    const rows: { role: string; permission: string | null }[] = await this.userRoles
      .createQueryBuilder('ur')
      .leftJoin(RolePermissionEntity, 'rp', 'rp.role = ur.role')
      .select('ur.role', 'role')
      .addSelect('rp.permission', 'permission')
      .where('ur.tenant_id = :tenantId AND ur.user_id = :userId', { tenantId, userId })
      .getRawMany();
    const roles = [...new Set(rows.map((r) => r.role))].sort();
    const permissions = [...new Set(rows.map((r) => r.permission).filter((p): p is string => p !== null))].sort();
    return { roles, permissions };
  }

  private roleExists(role: string): Promise<boolean> {
    return this.roles.exists({ where: { role } });
  }
}

function assertName(kind: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw new TypeError(`${kind} must be a non-empty string of at most 255 characters`);
  }
}
