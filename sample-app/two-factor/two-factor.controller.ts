import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Post, UseGuards } from '@nestjs/common';
import { AuthGuard, Session, type SessionContainer } from '../../src';
import { withoutSignInSteps } from '../session/sign-in-steps';
import { UsersService } from '../users/users.service';
import { CodePipe } from './code.pipe';
import { type SecondFactorStatus, SecondFactorService } from './second-factor.service';

const ASK_AGAIN = 'ask for a new code with POST /2fa/resend';

/**
 * The second factor. These routes need a session but, unlike every other guarded route, not a
 * completed second factor (nor a verified email): their guard filters those validators out of
 * the global list, as the seed's 2FA route does.
 */
@Controller('2fa')
@UseGuards(new AuthGuard({ overrideGlobalClaimValidators: withoutSignInSteps }))
export class TwoFactorController {
  constructor(
    private readonly secondFactor: SecondFactorService,
    private readonly users: UsersService,
  ) {}

  /** `{ completed, pendingCode: { expiresAt, attemptsLeft } | null }`. */
  @Get('status')
  status(@Session() session: SessionContainer): Promise<SecondFactorStatus> {
    return this.secondFactor.status(session);
  }

  /**
   * `{ code }`: 200 `{ status: 'OK' }` with a new access token whose `2fa-completed` is true;
   * 400 for a wrong, expired or exhausted code (`attemptsLeft` tells how many tries remain).
   */
  @Post('verify')
  @HttpCode(200)
  async verify(@Session() session: SessionContainer, @Body(new CodePipe()) code: string): Promise<{ status: 'OK' }> {
    const outcome = await this.secondFactor.verify(session, code);
    switch (outcome.status) {
      case 'OK':
      case 'ALREADY_COMPLETED':
        return { status: 'OK' };
      case 'WRONG_CODE':
        throw new BadRequestException({ message: 'wrong code', attemptsLeft: outcome.attemptsLeft });
      case 'CODE_EXPIRED':
        throw new BadRequestException({ message: `code expired: ${ASK_AGAIN}` });
      case 'TOO_MANY_ATTEMPTS':
        throw new BadRequestException({ message: `too many wrong codes: ${ASK_AGAIN}` });
      case 'NO_PENDING_CODE':
        throw new BadRequestException({ message: `no code pending: ${ASK_AGAIN}` });
    }
  }

  /** A new code for this session (the old one stops working); it appears in the server log. */
  @Post('resend')
  @HttpCode(200)
  async resend(@Session() session: SessionContainer): Promise<{ status: 'OK'; expiresAt: string }> {
    const user = await this.users.findById(session.getUserId());
    if (!user) throw new NotFoundException({ message: 'the account of this session no longer exists' });
    const { expiresAt } = await this.secondFactor.resend(session, user.email);
    return { status: 'OK', expiresAt: new Date(expiresAt).toISOString() };
  }
}
