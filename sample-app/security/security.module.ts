import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { SecurityAlertsListener } from './security-alerts.listener';

/** Reactions to session lifecycle events (a `@SessionListener()` provider). */
@Module({
  imports: [UsersModule],
  providers: [SecurityAlertsListener],
})
export class SecurityModule {}
