import { Body, ConflictException, Controller, HttpCode, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public, SessionService } from '../../src';
import { EmailTakenError, type PublicUser, toPublicUser, UsersService } from '../users/users.service';
import { type Credentials, CredentialsPipe } from './credentials.pipe';

/** SuperTokens' default tenant; the sample app is single-tenant. */
export const TENANT_ID = 'public';

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
 */
@Public()
@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {}

  /** 201 with a new account and its first session; 409 if the email is taken. */
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
    await this.sessions.createNewSession(request, response, TENANT_ID, user.id);
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
    await this.sessions.createNewSession(request, response, TENANT_ID, user.id);
    return { status: 'OK', user: toPublicUser(user) };
  }
}
