import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { MeController } from './me.controller';

/** Routes about the signed-in user (`GET /me`). */
@Module({
  imports: [UsersModule],
  controllers: [MeController],
})
export class ProfileModule {}
