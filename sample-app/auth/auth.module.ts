import { Module } from '@nestjs/common';
import { EmailVerificationModule } from '../email-verification/email-verification.module';
import { TwoFactorModule } from '../two-factor/two-factor.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';

/** Email/password sign-up and sign-in (sessions come from the global `SessionModule`). */
@Module({
  imports: [UsersModule, TwoFactorModule, EmailVerificationModule],
  controllers: [AuthController],
})
export class AuthModule {}
