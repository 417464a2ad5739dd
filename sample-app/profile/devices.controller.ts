import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { AuthGuard, FreshAuthClaim, Session, type SessionContainer, type SessionDevice, SessionService } from '../../src';
import { MIN_PASSWORD_LENGTH } from '../auth/auth.controller';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config';
import { UsersService } from '../users/users.service';
import { PasswordBodyPipe } from './password-body.pipe';
import { type PasswordChange, PasswordChangePipe } from './password-change.pipe';

/**
 * "Your devices" and the password change: the session listing with device metadata, a sign-out
 * per device (the handle comes from the page, so the library checks the owner in the DELETE),
 * and a password change that signs out every other device.
 *
 * Signing out another device is a step-up action: it needs an authentication at most
 * `STEP_UP_MAX_AGE` seconds old, or the standard 403 `invalid claim` (`st-auth`) that the
 * page's SDK reports as `API_INVALID_CLAIM`; the page then asks for the password
 * (`POST /me/reauthenticate`, which renews `st-auth`) and retries. With a fixed window,
 * `@RequireFreshAuth(300)` on the route does the same; the window here comes from the config.
 */
@Controller('me')
@UseGuards(AuthGuard)
export class DevicesController {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /** The user's sessions, newest first; the caller's has `current: true`. */
  @Get('sessions')
  list(@Session() session: SessionContainer): Promise<SessionDevice[]> {
    return session.listSessions();
  }

  /** Signs out one of the user's devices; 404 for a handle that is not one of theirs. */
  @Post('sessions/:handle/revoke')
  @HttpCode(200)
  async revoke(@Session() session: SessionContainer, @Param('handle') handle: string): Promise<{ status: 'OK' }> {
    await session.assertClaims([FreshAuthClaim.validators.authenticatedWithin(this.config.stepUpMaxAge)]);
    if (!(await this.sessions.revokeSessionForUser(session.getUserId(), handle, session.getTenantId()))) {
      throw new NotFoundException({ message: 'no such session' });
    }
    return { status: 'OK' };
  }

  /** Step-up: the password again renews the session's authentication time (the new token goes back in this answer). */
  @Post('reauthenticate')
  @HttpCode(200)
  async reauthenticate(@Session() session: SessionContainer, @Body(new PasswordBodyPipe()) password: string): Promise<{ status: 'OK' }> {
    if (!(await this.users.verifyPassword(session.getUserId(), password))) throw wrongPassword();
    await session.markFreshAuth();
    return { status: 'OK' };
  }

  /** Changes the password, then signs out every other device (this one stays signed in). */
  @Post('password')
  @HttpCode(200)
  async changePassword(
    @Session() session: SessionContainer,
    @Body(new PasswordChangePipe(MIN_PASSWORD_LENGTH)) change: PasswordChange,
  ): Promise<{ status: 'OK'; signedOut: number }> {
    if (!(await this.users.changePassword(session.getUserId(), change.currentPassword, change.newPassword))) {
      throw wrongPassword();
    }
    const revoked = await this.sessions.afterPasswordChange(session);
    return { status: 'OK', signedOut: revoked.length };
  }
}

/**
 * 400, not 401: SuperTokens' frontend SDKs read any 401 from the API as "access token expired",
 * refresh and retry, so a signed-in user's wrong password answered 401 would refresh forever.
 */
function wrongPassword(): BadRequestException {
  return new BadRequestException({ message: 'wrong password' });
}
