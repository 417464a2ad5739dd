import { Body, ConflictException, Controller, HttpCode, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public, SessionService, UserRolesService } from '../../src';
import { EmailVerificationService } from '../email-verification/email-verification.service';
import { DEFAULT_ROLE } from '../roles/demo-roles';
import { TENANT_ID } from '../session/tenant';
import { SecondFactorService } from '../two-factor/second-factor.service';
import type { UserEntity } from '../users/user.entity';
import { EmailTakenError, type PublicUser, toPublicUser, UsersService } from '../users/users.service';
import { type Credentials, CredentialsPipe } from './credentials.pipe';

export { TENANT_ID } from '../session/tenant';

/** Sign-up's password policy (sign-in accepts whatever was valid when the account was made). */
export const MIN_PASSWORD_LENGTH = 8;

/** What sign-up and sign-in answer; the tokens travel in headers or cookies, not in the body. */
export interface SignInResponse {
  status: 'OK';
  user: PublicUser;
}

/**
 * Email/password sign-up and sign-in. Each creates a session with `createNewSession`, which
 * writes the tokens to the response: headers by default, cookies when the client sends
 * `st-auth-mode: cookie`. Sign-out and refresh are the library's routes under `/auth`.
 *
 * A new session is only the first factor: its `2fa-completed` claim is false until the code
 * sent to the log is entered at `POST /2fa/verify`, and a new account's `st-ev` claim is false
 * until the verification link (also in the log) is opened. Until then guarded routes answer 403.
 */
@Public()
@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly userRoles: UserRolesService,
    private readonly secondFactor: SecondFactorService,
    private readonly emailVerification: EmailVerificationService,
  ) {}

  /** 201 with a new account (role "user", email unverified) and its first session; 409 if the email is taken. */
  @Post('signup')
  @HttpCode(201)
  async signUp(
    @Body(new CredentialsPipe(MIN_PASSWORD_LENGTH)) credentials: Credentials,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SignInResponse> {
    let user;
    try {
      user = await this.users.register(credentials.email, credentials.password);
    } catch (error) {
      if (error instanceof EmailTakenError) throw new ConflictException({ message: 'email already registered' });
      throw error;
    }
    // Before the session exists, so its st-role / st-perm claims already include the role.
    await this.userRoles.addRoleToUser(TENANT_ID, user.id, DEFAULT_ROLE);
    await this.emailVerification.sendLink(user);
    await this.startSession(request, response, user);
    return { status: 'OK', user: toPublicUser(user) };
  }

  /** 200 with a new session; 401 `{"message":"wrong credentials"}` for an unknown email or a wrong password alike. */
  @Post('signin')
  @HttpCode(200)
  async signIn(
    @Body(new CredentialsPipe()) credentials: Credentials,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SignInResponse> {
    const user = await this.users.verifyCredentials(credentials.email, credentials.password);
    if (!user) throw new UnauthorizedException({ message: 'wrong credentials' });
    await this.startSession(request, response, user);
    return { status: 'OK', user: toPublicUser(user) };
  }

  /** A session with the second factor pending: its code is stored in the session's private data and sent. */
  private async startSession(request: Request, response: Response, user: UserEntity): Promise<void> {
    const challenge = this.secondFactor.newChallenge();
    const session = await this.sessions.createNewSession(request, response, TENANT_ID, user.id, undefined, challenge.sessionData);
    this.secondFactor.sendCode(user.email, challenge.code, session.getHandle());
  }
}
