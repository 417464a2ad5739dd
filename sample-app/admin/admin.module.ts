import { Module } from '@nestjs/common';
import { RolesModule } from '../roles/roles.module';
import { UsersModule } from '../users/users.module';
import { AdminController } from './admin.controller';

/** `/admin/*`: admin-only dashboard, user list and role management. */
@Module({
  imports: [UsersModule, RolesModule],
  controllers: [AdminController],
})
export class AdminModule {}
