import { Injectable } from '@nestjs/common';
import { PermissionClaim, SessionService, type UnknownRoleError, UserRoleClaim, UserRolesService } from '../../src';
import { TENANT_ID } from '../session/tenant';

/** What a grant or a revocation answers. */
export interface RoleChange {
  status: 'OK';
  /** False when the user already had (grant) or did not have (revoke) the role. */
  changed: boolean;
  /** The user's roles afterwards. */
  roles: string[];
  /** How many of the user's live sessions now carry the new roles and permissions. */
  sessionsUpdated: number;
}

/**
 * Grants and revokes roles so that the user's NEXT request sees the change, without signing in
 * again. Two halves make that true:
 *
 * 1. here, after the database change, every live session of the user gets fresh `st-role` and
 *    `st-perm` values written into its stored payload (offline, by session handle:
 *    `SessionService.fetchAndSetClaim(handle, claim)`);
 * 2. the routes that check roles or permissions verify with `checkDatabase: true`, so they read
 *    the stored session (one indexed query) and, when its payload differs from the token's,
 *    re-issue the access token in the same response before the validators run.
 *
 * The user's token still holds the old roles on routes that do not check them, until the next
 * refresh (which is built from the stored payload). The other way to get the same result is
 * `UserRoleClaim.validators.includes('admin', 0)` (maxAge 0: refetch on every check); it needs no
 * code here, but costs a roles query, a payload write and a new token on every request to those
 * routes, where this costs one read per request and writes only when roles change.
 */
@Injectable()
export class RoleGrantsService {
  constructor(
    private readonly userRoles: UserRolesService,
    private readonly sessions: SessionService,
  ) {}

  async grant(userId: string, role: string): Promise<RoleChange | UnknownRoleError> {
    const result = await this.userRoles.addRoleToUser(TENANT_ID, userId, role);
    if (result.status !== 'OK') return result;
    return this.afterChange(userId, !result.didUserAlreadyHaveRole);
  }

  async revoke(userId: string, role: string): Promise<RoleChange | UnknownRoleError> {
    const result = await this.userRoles.removeUserRole(TENANT_ID, userId, role);
    if (result.status !== 'OK') return result;
    return this.afterChange(userId, result.didUserHaveRole);
  }

  private async afterChange(userId: string, changed: boolean): Promise<RoleChange> {
    const sessionsUpdated = await this.updateSessions(userId);
    const { roles } = await this.userRoles.getRolesForUser(TENANT_ID, userId);
    return { status: 'OK', changed, roles, sessionsUpdated };
  }

  /** Writes the user's current roles and permissions into each of their live sessions. */
  private async updateSessions(userId: string): Promise<number> {
    let updated = 0;
    for (const handle of await this.sessions.getAllSessionHandlesForUser(userId, TENANT_ID)) {
      // `false` means the session ended (signed out, expired) since it was listed: nothing to update.
      const roles = await this.sessions.fetchAndSetClaim(handle, UserRoleClaim);
      const permissions = await this.sessions.fetchAndSetClaim(handle, PermissionClaim);
      if (roles && permissions) updated++;
    }
    return updated;
  }
}
