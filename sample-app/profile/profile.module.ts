import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { DevicesController } from './devices.controller';
import { MeController } from './me.controller';
import { PreferencesController } from './preferences.controller';

/** Routes about the signed-in user (`GET /me`, `POST /me/preferences`, `GET /me/sessions`, `POST /me/password`). */
@Module({
  imports: [UsersModule],
  controllers: [MeController, PreferencesController, DevicesController],
})
export class ProfileModule {}
