import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { SecondFactorService } from './second-factor.service';
import { TwoFactorController } from './two-factor.controller';

/** The second factor: codes per session, `POST /2fa/verify`, `GET /2fa/status`, `POST /2fa/resend`. */
@Module({
  imports: [UsersModule],
  providers: [SecondFactorService],
  controllers: [TwoFactorController],
  exports: [SecondFactorService],
})
export class TwoFactorModule {}
