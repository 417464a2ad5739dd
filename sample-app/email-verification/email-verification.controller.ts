import { BadRequestException, Controller, Get, HttpCode, NotFoundException, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  AuthGuard,
  EmailVerificationClaim,
  Public,
  Session,
  type SessionContainer,
  SessionError,
  SessionService,
} from '../../src';
import { withoutSignInSteps } from '../session/sign-in-steps';
import { UsersService } from '../users/users.service';
import { EmailVerificationService } from './email-verification.service';

/** What opening a verification link answers. */
export interface VerifyEmailResponse {
  status: 'OK';
  email: string;
  /**
   * True when the request carried a live session of that user: its `st-ev` claim was refetched
   * and the response carries a new access token that passes at once. Otherwise the user's
   * session sees the change by itself: `isVerified()` re-checks a `false` value after 10 s.
   */
  sessionUpdated: boolean;
}

/**
 * Email verification. The global `st-ev` validator (mode `REQUIRED`) refuses every guarded route
 * with 403 until the email is verified, except these routes.
 */
@Controller('verify-email')
export class EmailVerificationController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {}

  /**
   * The link from the log. Public: the token is the proof, and the link may be opened where the
   * user has no session. If the request does carry the user's session (the demo page's cookie,
   * or a bearer token), its claim is refreshed right away.
   */
  @Public()
  @Get()
  async verify(
    @Query('token') token: unknown,
    @Req() request: unknown,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<VerifyEmailResponse> {
    const userId = typeof token === 'string' ? await this.verification.verify(token) : undefined;
    if (!userId) throw new BadRequestException({ message: 'invalid or expired verification link' });
    const user = await this.users.findById(userId);
    return { status: 'OK', email: user!.email, sessionUpdated: await this.refreshSessionOf(userId, request, response) };
  }

  /**
   * `{ verified }`, read from the users table. The session's `st-ev` claim is refetched every time
   * (`fetchAndSetClaim`) and a new access token goes back, as SuperTokens'
   * `GET /user/email/verify` does: the page's SDK polls this while the email is unverified, and
   * only a new front-token tells it the value (and its fetch time) changed. That holds even when
   * the link was opened in the same browser and the session cookie already says "verified".
   */
  @Get('status')
  @UseGuards(new AuthGuard({ overrideGlobalClaimValidators: withoutSignInSteps }))
  async status(@Session() session: SessionContainer): Promise<{ verified: boolean }> {
    await session.fetchAndSetClaim(EmailVerificationClaim);
    return { verified: (await session.getClaimValue(EmailVerificationClaim)) === true };
  }

  /** Sends a new link (the old one stops working); `EMAIL_ALREADY_VERIFIED_ERROR` if there is nothing to verify. */
  @Post('resend')
  @HttpCode(200)
  @UseGuards(new AuthGuard({ overrideGlobalClaimValidators: withoutSignInSteps }))
  async resend(@Session() session: SessionContainer): Promise<{ status: 'OK' | 'EMAIL_ALREADY_VERIFIED_ERROR' }> {
    const user = await this.users.findById(session.getUserId());
    if (!user) throw new NotFoundException({ message: 'the account of this session no longer exists' });
    if (user.emailVerifiedAt != null) return { status: 'EMAIL_ALREADY_VERIFIED_ERROR' };
    await this.verification.sendLink(user);
    return { status: 'OK' };
  }

  /** Best effort: an expired, revoked or foreign session must not spoil a valid link. */
  private async refreshSessionOf(userId: string, request: unknown, response: unknown): Promise<boolean> {
    try {
      const session = await this.sessions.getSession(request, response, { sessionRequired: false, overrideGlobalClaimValidators: () => [] });
      if (!session || session.getUserId() !== userId) return false;
      await session.fetchAndSetClaim(EmailVerificationClaim);
      return true;
    } catch (error) {
      if (error instanceof SessionError) return false;
      throw error;
    }
  }
}
