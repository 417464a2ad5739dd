import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { RoleGrantsService } from './role-grants.service';
import { RolesSeeder } from './roles.seeder';

/**
 * Roles and permissions on top of the library's `UserRolesService` (from the global
 * `SessionModule`): the demo roles, and grants that reach live sessions.
 */
@Module({
  imports: [UsersModule],
  providers: [RolesSeeder, RoleGrantsService],
  exports: [RoleGrantsService],
})
export class RolesModule {}
