/**
 * The guards the throughput race compares on one `GET /hello` route, besides ours: Nest's guard
 * floor, a minimal jose guard, SuperTokens' own guard and passport-jwt. Each is written the way
 * its documentation shows, with nothing added that would slow it down or speed it up.
 */
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { AuthGuard as PassportAuthGuard, PassportStrategy } from '@nestjs/passport';
import type { FastifyReply } from 'fastify';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import { ExtractJwt, Strategy } from 'passport-jwt';
import supertokens, { Error as STError } from 'supertokens-node';
import { middleware as supertokensExpressMiddleware } from 'supertokens-node/framework/express';
import Session, { type VerifySessionOptions } from 'supertokens-node/recipe/session';
import { verifySession as verifySessionExpress } from 'supertokens-node/recipe/session/framework/express';
import { verifySession as verifySessionFastify } from 'supertokens-node/recipe/session/framework/fastify';
import { AuthGuard } from '../src';
import type { Adapter } from './throughput-variants';

const BODY = { hello: 'world' };

/** The route without any guard. */
@Controller()
export class BareController {
  @Get('hello')
  hello() {
    return BODY;
  }
}

/** The same route behind `guard` (a class or an instance, as `@UseGuards` takes them). */
export function guardedController(guard: CanActivate | (new (...args: any[]) => CanActivate)) {
  @Controller()
  class GuardedController {
    @Get('hello')
    @UseGuards(guard)
    hello() {
      return BODY;
    }
  }
  return GuardedController;
}

export const OursController = guardedController(AuthGuard);

// ---- Nest's guard floor ---------------------------------------------------------------------

/** Does nothing, asynchronously: what any async guard costs in Nest's pipeline. */
@Injectable()
export class NoopGuard implements CanActivate {
  async canActivate(): Promise<boolean> {
    return true;
  }
}

// ---- a minimal jose guard -------------------------------------------------------------------

function publicJwkFromEnv(variable: string): JsonWebKey {
  const json = process.env[variable];
  if (!json) throw new Error(`${variable} is not set`);
  return JSON.parse(json) as JsonWebKey;
}

/** Bearer token → `jose.jwtVerify` with the key imported once (a `KeyObject`), RS256 pinned. */
export function joseGuard(jwkVariable: string) {
  const key: KeyObject = createPublicKey({ key: publicJwkFromEnv(jwkVariable), format: 'jwk' });
  @Injectable()
  class JoseGuard implements CanActivate {
    async canActivate(context: ExecutionContext): Promise<boolean> {
      const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
      const header = request.headers.authorization;
      if (!header?.startsWith('Bearer ')) throw new UnauthorizedException();
      try {
        request.user = (await jwtVerify(header.slice(7), key, { algorithms: ['RS256'] })).payload;
      } catch {
        throw new UnauthorizedException();
      }
      return true;
    }
  }
  return JoseGuard;
}

// ---- SuperTokens' own guard -------------------------------------------------------------------

/** `supertokens.init` as the quick-start writes it: only the Session recipe, our stub as the core. */
export function initSuperTokens(adapter: Adapter, connectionURI: string): void {
  supertokens.init({
    framework: adapter,
    supertokens: { connectionURI },
    appInfo: { appName: 'bench', apiDomain: 'http://127.0.0.1', websiteDomain: 'http://127.0.0.1', apiBasePath: '/auth' },
    recipeList: [Session.init()],
    // The default would report to SuperTokens' servers: this machine must not call out.
    telemetry: false,
  });
}

/** The AuthGuard of SuperTokens' NestJS guide (Express): `verifySession()` with a `next` callback. */
@Injectable()
export class SuperTokensExpressGuard implements CanActivate {
  constructor(private readonly verifyOptions?: VerifySessionOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const ctx = context.switchToHttp();
    let err: unknown = undefined;
    const resp = ctx.getResponse();
    await verifySessionExpress(this.verifyOptions)(ctx.getRequest(), resp, (res?: unknown) => {
      err = res;
    });
    if (resp.headersSent) throw new STError({ message: 'RESPONSE_SENT', type: 'RESPONSE_SENT' });
    if (err) throw err;
    return true;
  }
}

/** The same guard on Fastify: SuperTokens' Fastify `verifySession()` answers errors itself and throws. */
@Injectable()
export class SuperTokensFastifyGuard implements CanActivate {
  constructor(private readonly verifyOptions?: VerifySessionOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const ctx = context.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    let err: unknown = undefined;
    try {
      await verifySessionFastify(this.verifyOptions)(ctx.getRequest(), reply as never);
    } catch (error) {
      err = error;
    }
    if (reply.sent) throw new STError({ message: 'RESPONSE_SENT', type: 'RESPONSE_SENT' });
    if (err) throw err;
    return true;
  }
}

/** The guide's AuthModule on Express: SuperTokens' middleware on every route (it serves `/auth/*`). */
@Module({})
export class SuperTokensExpressMiddlewareModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(supertokensExpressMiddleware()).forRoutes('*');
  }
}

// ---- passport-jwt -----------------------------------------------------------------------------

/**
 * passport-jwt's documented setup: bearer token, RS256 only, `secretOrKey` the public key as a
 * PEM string (jsonwebtoken then imports the PEM on every verification); or, with `keyObject`,
 * an imported `KeyObject`, which jsonwebtoken uses as is.
 */
export function jwtStrategy(jwkVariable: string, keyObject: boolean) {
  const key = createPublicKey({ key: publicJwkFromEnv(jwkVariable), format: 'jwk' });
  const secretOrKey = keyObject ? key : key.export({ type: 'spki', format: 'pem' }).toString();
  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
    constructor() {
      super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: secretOrKey as string, algorithms: ['RS256'], ignoreExpiration: false });
    }

    validate(payload: { sub: string; sessionHandle?: string }) {
      return { userId: payload.sub, sessionHandle: payload.sessionHandle };
    }
  }
  return JwtStrategy;
}

export const PassportController = guardedController(PassportAuthGuard('jwt'));
