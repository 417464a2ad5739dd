import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { EmailVerificationController } from './email-verification.controller';
import { EmailVerificationService } from './email-verification.service';
import { VerificationTokenEntity } from './verification-token.entity';

/** Verification links (sent at sign-up, `POST /verify-email/resend`) and the routes that use them. */
@Module({
  imports: [TypeOrmModule.forFeature([VerificationTokenEntity]), UsersModule],
  providers: [EmailVerificationService],
  controllers: [EmailVerificationController],
  exports: [EmailVerificationService],
})
export class EmailVerificationModule {}
