/** A user's roles and the union of their permissions, sorted. */
export interface RolesAndPermissions {
  roles: string[];
  permissions: string[];
}

/**
 * Where roles, their permissions and the roles of users (per tenant) live. The default is
 * `TypeOrmRoleStore`; give another with the `roleStore` option. Lists come back sorted;
 * adding what exists already is not an error.
 */
export interface RoleStore {
  roleExists(role: string): Promise<boolean>;
  /** Adds a role (nothing if it exists). */
  createRole(role: string, createdAt: number): Promise<void>;
  /** Adds permissions to a role (existing ones are kept). */
  addPermissions(role: string, permissions: string[]): Promise<void>;
  permissionsOfRole(role: string): Promise<string[]>;
  removePermissions(role: string, permissions: string[]): Promise<void>;
  rolesWithPermission(permission: string): Promise<string[]>;
  /** Deletes a role with its permissions and every grant of it (grants first: never a grant of a missing role). */
  deleteRole(role: string): Promise<void>;
  allRoles(): Promise<string[]>;
  userHasRole(tenantId: string, userId: string, role: string): Promise<boolean>;
  /** Grants a role (nothing if granted). */
  addUserRole(tenantId: string, userId: string, role: string): Promise<void>;
  /** Takes a role; whether the user had it. */
  removeUserRole(tenantId: string, userId: string, role: string): Promise<boolean>;
  rolesOfUser(tenantId: string, userId: string): Promise<string[]>;
  usersWithRole(tenantId: string, role: string): Promise<string[]>;
  /** A user's roles and their permissions in one read (what the role claims fetch). */
  rolesAndPermissionsOfUser(tenantId: string, userId: string): Promise<RolesAndPermissions>;
}

/** Injection token of the {@link RoleStore}. */
export const RoleStore = Symbol('RoleStore');
