import { Controller, Get, Header, HttpCode, Inject, Post, Req, Res, SetMetadata, type Type } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import { BUILT_IN_ROUTE_METADATA, SESSION_CONFIG } from '../session.constants';
import { SessionService } from '../session/session.service';
import type { RequestLike } from '../transport/http-objects';
import type { JsonWebKeySet } from '../tokens/signing-key.service';
import { type OpenIdConfiguration, openIdConfiguration } from './openid-configuration';

/** Public keys are public: any origin may read them, whatever the app's CORS policy (as supertokens-node). */
const ANY_ORIGIN = ['Access-Control-Allow-Origin', '*'] as const;
const KEYS_CACHE = ['Cache-Control', 'max-age=60, must-revalidate'] as const;

/**
 * The built-in routes under `apiBasePath`. The path is only known when the module is declared,
 * so each declaration gets its own controller class.
 */
export function createSessionRoutesController(apiBasePath: string): Type<unknown> {
  @SetMetadata(BUILT_IN_ROUTE_METADATA, true)
  @Controller(apiBasePath)
  class SessionRoutesController {
    constructor(
      private readonly sessions: SessionService,
      @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    ) {}

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
    @Header(...KEYS_CACHE)
    @Header(...ANY_ORIGIN)
    jwks(): JsonWebKeySet {
      return this.sessions.getJWKS();
    }

    /** OpenID discovery, so JWT libraries and gateways configured with the issuer find the keys. */
    @Get('.well-known/openid-configuration')
    @Header(...KEYS_CACHE)
    @Header(...ANY_ORIGIN)
    openIdConfiguration(@Req() request: unknown): OpenIdConfiguration {
      return openIdConfiguration(this.config, request as RequestLike);
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
  @Header(...KEYS_CACHE)
  @Header(...ANY_ORIGIN)
  jwks(): JsonWebKeySet {
    return this.sessions.getJWKS();
  }
}
