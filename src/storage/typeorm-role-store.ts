import { type DataSource, In, type Repository } from 'typeorm';
import { RolePermissionEntity } from './entities/role-permission.entity';
import { RoleEntity } from './entities/role.entity';
import { UserRoleEntity } from './entities/user-role.entity';
import type { RolesAndPermissions, RoleStore } from './role-store';

/** The default {@link RoleStore}: three tables next to the sessions. */
export class TypeOrmRoleStore implements RoleStore {
  private readonly roles: Repository<RoleEntity>;
  private readonly permissions: Repository<RolePermissionEntity>;
  private readonly userRoles: Repository<UserRoleEntity>;

  constructor(dataSource: DataSource) {
    this.roles = dataSource.getRepository(RoleEntity);
    this.permissions = dataSource.getRepository(RolePermissionEntity);
    this.userRoles = dataSource.getRepository(UserRoleEntity);
  }

  roleExists(role: string): Promise<boolean> {
    return this.roles.exists({ where: { role } });
  }

  async createRole(role: string, createdAt: number): Promise<void> {
    await this.roles.createQueryBuilder().insert().into(RoleEntity).values({ role, createdAt }).orIgnore().execute();
  }

  async addPermissions(role: string, permissions: string[]): Promise<void> {
    if (permissions.length === 0) return;
    const rows = permissions.map((permission) => ({ role, permission }));
    await this.permissions.createQueryBuilder().insert().into(RolePermissionEntity).values(rows).orIgnore().execute();
  }

  async permissionsOfRole(role: string): Promise<string[]> {
    return (await this.permissions.find({ where: { role }, order: { permission: 'ASC' } })).map((r) => r.permission);
  }

  async removePermissions(role: string, permissions: string[]): Promise<void> {
    if (permissions.length > 0) await this.permissions.delete({ role, permission: In(permissions) });
  }

  async rolesWithPermission(permission: string): Promise<string[]> {
    return (await this.permissions.find({ where: { permission }, order: { role: 'ASC' } })).map((r) => r.role);
  }

  async deleteRole(role: string): Promise<void> {
    await this.userRoles.delete({ role });
    await this.permissions.delete({ role });
    await this.roles.delete({ role });
  }

  async allRoles(): Promise<string[]> {
    return (await this.roles.find({ order: { role: 'ASC' } })).map((r) => r.role);
  }

  userHasRole(tenantId: string, userId: string, role: string): Promise<boolean> {
    return this.userRoles.exists({ where: { tenantId, userId, role } });
  }

  async addUserRole(tenantId: string, userId: string, role: string): Promise<void> {
    await this.userRoles.createQueryBuilder().insert().into(UserRoleEntity).values({ tenantId, userId, role }).orIgnore().execute();
  }

  async removeUserRole(tenantId: string, userId: string, role: string): Promise<boolean> {
    return ((await this.userRoles.delete({ tenantId, userId, role })).affected ?? 0) > 0;
  }

  async rolesOfUser(tenantId: string, userId: string): Promise<string[]> {
    return (await this.userRoles.find({ where: { tenantId, userId }, order: { role: 'ASC' } })).map((r) => r.role);
  }

  async usersWithRole(tenantId: string, role: string): Promise<string[]> {
    return (await this.userRoles.find({ where: { tenantId, role }, order: { userId: 'ASC' } })).map((r) => r.userId);
  }

  async rolesAndPermissionsOfUser(tenantId: string, userId: string): Promise<RolesAndPermissions> {
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
}
