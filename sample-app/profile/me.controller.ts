import { Controller, Get, UseGuards } from '@nestjs/common';
import { type AccessTokenPayload, AuthGuard, Session, type SessionContainer } from '../../src';
import { UsersService } from '../users/users.service';

/** `GET /me`: who the session belongs to. */
export interface MeResponse {
  userId: string;
  /** `null` if the account was deleted while the session lived. */
  email: string | null;
  tenantId: string;
  sessionHandle: string;
  accessTokenPayload: AccessTokenPayload;
}

/** The signed-in user's own data; needs a session (401 `unauthorised` / `try refresh token` otherwise). */
@Controller('me')
@UseGuards(AuthGuard)
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async me(@Session() session: SessionContainer): Promise<MeResponse> {
    const user = await this.users.findById(session.getUserId());
    return {
      userId: session.getUserId(),
      email: user?.email ?? null,
      tenantId: session.getTenantId(),
      sessionHandle: session.getHandle(),
      accessTokenPayload: session.getAccessTokenPayload(),
    };
  }
}
