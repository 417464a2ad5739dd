import { Controller, Get, Header, HttpCode, Post, Req, Res, SetMetadata, type Type } from '@nestjs/common';
import { BUILT_IN_ROUTE_METADATA } from '../session.constants';
import { SessionService } from '../session/session.service';
import type { JsonWebKeySet } from '../tokens/signing-key.service';

/**
 * The built-in routes under `apiBasePath`. The path is only known when the module is declared,
 * so each declaration gets its own controller class.
 */
export function createSessionRoutesController(apiBasePath: string): Type<unknown> {
  @SetMetadata(BUILT_IN_ROUTE_METADATA, true)
  @Controller(apiBasePath)
  class SessionRoutesController {
    constructor(private readonly sessions: SessionService) {}

    /** Rotates the refresh token; 200 `{}` with new tokens. Claims are never checked here. */
    @Post('session/refresh')
    @HttpCode(200)
    async refresh(@Req() request: unknown, @Res({ passthrough: true }) response: unknown): Promise<Record<string, never>> {
      await this.sessions.refreshSession(request, response);
      return {};
    }

    /** Revokes the session of the request (if any) and clears its tokens. */
    @Post('signout')
    @HttpCode(200)
    async signOut(@Req() request: unknown, @Res({ passthrough: true }) response: unknown): Promise<{ status: 'OK' }> {
      const session = await this.sessions.getSession(request, response, {
        sessionRequired: false,
        overrideGlobalClaimValidators: () => [],
      });
      await session?.revokeSession();
      return { status: 'OK' };
    }

    /** Public keys that verify access tokens. */
    @Get('jwt/jwks.json')
    @Header('Cache-Control', 'max-age=60, must-revalidate')
    jwks(): JsonWebKeySet {
      return this.sessions.getJWKS();
    }
  }
  return SessionRoutesController;
}

/** `/.well-known/jwks.json`, where JWT libraries look by convention. */
@SetMetadata(BUILT_IN_ROUTE_METADATA, true)
@Controller('.well-known')
export class WellKnownJwksController {
  constructor(private readonly sessions: SessionService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'max-age=60, must-revalidate')
  jwks(): JsonWebKeySet {
    return this.sessions.getJWKS();
  }
}
