import { PrimitiveArrayClaim } from '../../claims/primitive-array-claim';
import type { UserContext } from '../../claims/types';
import { UserRolesService } from '../../roles/user-roles.service';
import { moduleRefOf } from './module-context';

const MEMO = Symbol('nest-session:roles-and-permissions');

type RolesAndPermissions = { roles: string[]; permissions: string[] };

/** Roles and permissions are read in one query and shared by both claims within one call. */
function rolesAndPermissions(userId: string, tenantId: string, userContext: UserContext, key: string): Promise<RolesAndPermissions> {
  const memo = ((userContext as Record<symbol, Map<string, Promise<RolesAndPermissions>>>)[MEMO] ??= new Map());
  const id = `${tenantId}\u0000${userId}`;
  let pending = memo.get(id);
  if (!pending) {
    pending = moduleRefOf(userContext, key).get(UserRolesService, { strict: false }).getRolesAndPermissionsForUser(tenantId, userId);
    memo.set(id, pending);
  }
  return pending;
}

/** The user's roles in the session's tenant, under `st-role` (refetched after 5 minutes by default). */
export const UserRoleClaim = new PrimitiveArrayClaim<string>({
  key: 'st-role',
  defaultMaxAgeInSeconds: 300,
  fetchValue: async (userId, tenantId, userContext) => (await rolesAndPermissions(userId, tenantId, userContext, 'st-role')).roles,
});

/** The union of the permissions of the user's roles, under `st-perm` (refetched after 5 minutes by default). */
export const PermissionClaim = new PrimitiveArrayClaim<string>({
  key: 'st-perm',
  defaultMaxAgeInSeconds: 300,
  fetchValue: async (userId, tenantId, userContext) => (await rolesAndPermissions(userId, tenantId, userContext, 'st-perm')).permissions,
});
