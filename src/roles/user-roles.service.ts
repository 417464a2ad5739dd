import { Inject, Injectable } from '@nestjs/common';
import { assertIdentifier, assertIdentifiers } from '../storage/identifier-limits';
import { RoleStore } from '../storage/role-store';

/** Answer when a role named in a call does not exist (SuperTokens' shape). */
export interface UnknownRoleError {
  status: 'UNKNOWN_ROLE_ERROR';
}

const UNKNOWN_ROLE: UnknownRoleError = { status: 'UNKNOWN_ROLE_ERROR' };

/**
 * Roles, their permissions, and the roles of users per tenant, in the {@link RoleStore}. Method
 * names and answers follow SuperTokens' UserRoles recipe. Granting a role does not touch
 * sessions: `UserRoleClaim` / `PermissionClaim` validators refetch when stale.
 */
@Injectable()
export class UserRolesService {
  constructor(@Inject(RoleStore) private readonly store: RoleStore) {}

  /** Creates a role (if new) and adds permissions to it. */
  async createNewRoleOrAddPermissions(role: string, permissions: string[] = []): Promise<{ status: 'OK'; createdNewRole: boolean }> {
    assertIdentifier('role', role);
    assertIdentifiers('permission', permissions, 'permissions');
    const existed = await this.store.roleExists(role);
    if (!existed) await this.store.createRole(role, Date.now());
    await this.store.addPermissions(role, [...new Set(permissions)]);
    return { status: 'OK', createdNewRole: !existed };
  }

  /** Permissions of a role. */
  async getPermissionsForRole(role: string): Promise<{ status: 'OK'; permissions: string[] } | UnknownRoleError> {
    assertIdentifier('role', role);
    if (!(await this.store.roleExists(role))) return UNKNOWN_ROLE;
    return { status: 'OK', permissions: await this.store.permissionsOfRole(role) };
  }

  /** Removes permissions from a role. */
  async removePermissionsFromRole(role: string, permissions: string[]): Promise<{ status: 'OK' } | UnknownRoleError> {
    assertIdentifier('role', role);
    assertIdentifiers('permission', permissions, 'permissions');
    if (!(await this.store.roleExists(role))) return UNKNOWN_ROLE;
    await this.store.removePermissions(role, permissions);
    return { status: 'OK' };
  }

  /** Roles that carry a permission. */
  async getRolesThatHavePermission(permission: string): Promise<{ status: 'OK'; roles: string[] }> {
    assertIdentifier('permission', permission);
    return { status: 'OK', roles: await this.store.rolesWithPermission(permission) };
  }

  /** Deletes a role, its permissions and every grant of it. */
  async deleteRole(role: string): Promise<{ status: 'OK'; didRoleExist: boolean }> {
    assertIdentifier('role', role);
    const existed = await this.store.roleExists(role);
    await this.store.deleteRole(role);
    return { status: 'OK', didRoleExist: existed };
  }

  /** Every role. */
  async getAllRoles(): Promise<{ status: 'OK'; roles: string[] }> {
    return { status: 'OK', roles: await this.store.allRoles() };
  }

  /** Grants a role to a user in a tenant. */
  async addRoleToUser(tenantId: string, userId: string, role: string): Promise<{ status: 'OK'; didUserAlreadyHaveRole: boolean } | UnknownRoleError> {
    assertIdentifier('tenantId', tenantId);
    assertIdentifier('userId', userId);
    assertIdentifier('role', role);
    if (!(await this.store.roleExists(role))) return UNKNOWN_ROLE;
    const had = await this.store.userHasRole(tenantId, userId, role);
    if (!had) await this.store.addUserRole(tenantId, userId, role);
    return { status: 'OK', didUserAlreadyHaveRole: had };
  }

  /** Takes a role from a user in a tenant. */
  async removeUserRole(tenantId: string, userId: string, role: string): Promise<{ status: 'OK'; didUserHaveRole: boolean } | UnknownRoleError> {
    assertIdentifier('tenantId', tenantId);
    assertIdentifier('userId', userId);
    assertIdentifier('role', role);
    if (!(await this.store.roleExists(role))) return UNKNOWN_ROLE;
    return { status: 'OK', didUserHaveRole: await this.store.removeUserRole(tenantId, userId, role) };
  }

  /** Roles of a user in a tenant. */
  async getRolesForUser(tenantId: string, userId: string): Promise<{ status: 'OK'; roles: string[] }> {
    assertIdentifier('tenantId', tenantId);
    assertIdentifier('userId', userId);
    return { status: 'OK', roles: await this.store.rolesOfUser(tenantId, userId) };
  }

  /** Users that have a role in a tenant. */
  async getUsersThatHaveRole(tenantId: string, role: string): Promise<{ status: 'OK'; users: string[] } | UnknownRoleError> {
    assertIdentifier('tenantId', tenantId);
    assertIdentifier('role', role);
    if (!(await this.store.roleExists(role))) return UNKNOWN_ROLE;
    return { status: 'OK', users: await this.store.usersWithRole(tenantId, role) };
  }

  /** Roles and the union of their permissions, in one read (what the session claims need). */
  async getRolesAndPermissionsForUser(tenantId: string, userId: string): Promise<{ roles: string[]; permissions: string[] }> {
    assertIdentifier('tenantId', tenantId);
    assertIdentifier('userId', userId);
    return this.store.rolesAndPermissionsOfUser(tenantId, userId);
  }
}
