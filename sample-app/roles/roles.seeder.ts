import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { UserRolesService } from '../../src';
import { TENANT_ID } from '../session/tenant';
import { DemoUsersSeeder } from '../users/demo-users.seeder';
import { DEMO_ROLES, DEMO_USER_ROLES } from './demo-roles';

/**
 * Creates the demo roles with their permissions and gives the demo users their roles. Every step
 * only adds what is missing, so restarts change nothing, and roles an admin granted later stay.
 */
@Injectable()
export class RolesSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoRoles');

  constructor(
    private readonly userRoles: UserRolesService,
    private readonly demoUsers: DemoUsersSeeder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const [role, permissions] of Object.entries(DEMO_ROLES)) {
      await this.userRoles.createNewRoleOrAddPermissions(role, [...permissions]);
    }
    for (const user of await this.demoUsers.seeded()) {
      const role = DEMO_USER_ROLES[user.email];
      if (role === undefined) continue;
      await this.userRoles.addRoleToUser(TENANT_ID, user.id, role);
      const { roles } = await this.userRoles.getRolesForUser(TENANT_ID, user.id);
      this.logger.log(`${user.email} has the roles ${roles.map((r) => `"${r}"`).join(', ')}`);
    }
  }
}
