import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';

/** Email/password sign-up and sign-in (sessions come from the global `SessionModule`). */
@Module({
  imports: [UsersModule],
  controllers: [AuthController],
})
export class AuthModule {}
