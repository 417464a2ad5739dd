import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AuthGuard, Session, type SessionContainer } from '../../src';
import { type Theme, THEME_KEY, ThemeBodyPipe } from './preferences';

/**
 * `POST /me/preferences`: an online payload merge. The theme is written into the session's
 * access-token payload during the request; the response carries the new access token and
 * front-token, so the page (through the SDK) shows the new value without reloading.
 */
@Controller('me/preferences')
@UseGuards(AuthGuard)
export class PreferencesController {
  @Post()
  @HttpCode(200)
  async update(@Session() session: SessionContainer, @Body(new ThemeBodyPipe()) theme: Theme): Promise<{ status: 'OK'; theme: Theme }> {
    await session.mergeIntoAccessTokenPayload({ [THEME_KEY]: theme });
    return { status: 'OK', theme };
  }
}
