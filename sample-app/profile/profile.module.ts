import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { MeController } from './me.controller';
import { PreferencesController } from './preferences.controller';

/** Routes about the signed-in user (`GET /me`, `POST /me/preferences`). */
@Module({
  imports: [UsersModule],
  controllers: [MeController, PreferencesController],
})
export class ProfileModule {}
