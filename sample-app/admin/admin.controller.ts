import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { Session, UserRolesService } from '../../src';
import { type RoleChange, RoleGrantsService } from '../roles/role-grants.service';
import { TENANT_ID } from '../session/tenant';
import { UsersService } from '../users/users.service';
import { AdminOnly } from './admin-only.guard';
import { RoleBodyPipe } from './role-body.pipe';

/** A row of `GET /admin/users`. */
export interface AdminUserView {
  id: string;
  email: string;
  emailVerified: boolean;
  roles: string[];
}

/** Admin-only routes: a dashboard, the user list, and granting/revoking roles. */
@Controller('admin')
@UseGuards(AdminOnly)
export class AdminController {
  constructor(
    private readonly users: UsersService,
    private readonly userRoles: UserRolesService,
    private readonly grants: RoleGrantsService,
  ) {}

  @Get('dashboard')
  async dashboard(@Session('userId') userId: string): Promise<{ message: string; userId: string; roles: Record<string, string[]> }> {
    const roles: Record<string, string[]> = {};
    for (const role of (await this.userRoles.getAllRoles()).roles) {
      const permissions = await this.userRoles.getPermissionsForRole(role);
      roles[role] = permissions.status === 'OK' ? permissions.permissions : [];
    }
    return { message: 'welcome to the admin dashboard', userId, roles };
  }

  @Get('users')
  async listUsers(): Promise<AdminUserView[]> {
    const views: AdminUserView[] = [];
    for (const user of await this.users.findAll()) {
      const { roles } = await this.userRoles.getRolesForUser(TENANT_ID, user.id);
      views.push({ id: user.id, email: user.email, emailVerified: user.emailVerifiedAt != null, roles });
    }
    return views;
  }

  /** `{ role }`: grants it; the user's next request to a role-gated route sees it, without signing in again. */
  @Post('users/:userId/roles')
  @HttpCode(200)
  async grant(@Param('userId') userId: string, @Body(new RoleBodyPipe()) role: string): Promise<RoleChange> {
    await this.assertUser(userId);
    const result = await this.grants.grant(userId, role);
    if (result.status === 'UNKNOWN_ROLE_ERROR') throw new BadRequestException({ message: `unknown role "${role}"` });
    return result;
  }

  /** Revokes a role; the user's next request to a role-gated route is refused accordingly. */
  @Delete('users/:userId/roles/:role')
  async revoke(@Param('userId') userId: string, @Param('role') role: string): Promise<RoleChange> {
    await this.assertUser(userId);
    const result = await this.grants.revoke(userId, role);
    if (result.status === 'UNKNOWN_ROLE_ERROR') throw new NotFoundException({ message: `unknown role "${role}"` });
    return result;
  }

  private async assertUser(userId: string): Promise<void> {
    if (!(await this.users.findById(userId))) throw new NotFoundException({ message: 'unknown user' });
  }
}
