import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import { AuthGuard, Session, type SessionContainer, type SessionDevice, SessionService } from '../../src';
import { MIN_PASSWORD_LENGTH } from '../auth/auth.controller';
import { UsersService } from '../users/users.service';
import { type PasswordChange, PasswordChangePipe } from './password-change.pipe';

/**
 * "Your devices" and the password change: the session listing with device metadata, a sign-out
 * per device (the handle comes from the page, so the library checks the owner in the DELETE),
 * and a password change that signs out every other device.
 */
@Controller('me')
@UseGuards(AuthGuard)
export class DevicesController {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersService,
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
    if (!(await this.sessions.revokeSessionForUser(session.getUserId(), handle, session.getTenantId()))) {
      throw new NotFoundException({ message: 'no such session' });
    }
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
      throw new UnauthorizedException({ message: 'wrong password' });
    }
    const revoked = await this.sessions.afterPasswordChange(session);
    return { status: 'OK', signedOut: revoked.length };
  }
}
