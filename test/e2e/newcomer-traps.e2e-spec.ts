import { Controller, Get, type INestApplication, Module, type ModuleMetadata, RequestMethod, UseGuards } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthGuard, Session, type SessionContainer, SessionModule, type SessionModuleOptions } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { testDatabaseOptions } from '../support/database';
import { createTestApp, type Platform, PLATFORMS } from '../support/platforms';
import { cookieTokens, headerTokens, setCookie } from '../support/tokens';

/**
 * What a new user trips on, each as the user would meet it:
 * - `app.setGlobalPrefix('api')` just works: the built-in routes move under the prefix and the
 *   refresh cookie's path follows it (cookie mode), in both transfer modes; routes excluded from
 *   the prefix keep their path and so does the cookie;
 * - `@UseGuards(AuthGuard)` in an app without `SessionModule` stops the app at start (not a 500
 *   on every request); a non-global module elsewhere in the app is enough;
 * - options from a `forRootAsync` factory are checked at start, with the received type and the
 *   unknown key's name; an unsupported `database.type` gets the module's own error;
 * - signout with an invalid access token answers `401 try refresh token` (as SuperTokens does).
 */

type PrefixOptions = Parameters<INestApplication['setGlobalPrefix']>[1];

/** createTestApp with a global prefix set before init, as `main.ts` does before `listen`. */
async function appWithPrefix(platform: Platform, metadata: ModuleMetadata, prefix: string, options?: PrefixOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  app.setGlobalPrefix(prefix, options);
  await app.init();
  if (platform === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

describe.each(PLATFORMS)('newcomer traps (%s)', (platform) => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe("app.setGlobalPrefix('api')", () => {
    it('cookie mode: the refresh cookie carries the prefixed path, and refresh and signout work under the prefix', async () => {
      app = await appWithPrefix(platform, basicApp(), 'api');
      const http = () => request(app!.getHttpServer());
      const login = await http().post('/api/login').set('st-auth-mode', 'cookie').send({ userId: 'prefixed' }).expect(201);
      expect(setCookie(login, 'sRefreshToken')?.attributes.path).toBe('/api/auth/session/refresh');
      expect(setCookie(login, 'sAccessToken')?.attributes.path).toBe('/');
      const { access, refresh } = cookieTokens(login);

      const me = await http().get('/api/me').set('Cookie', `sAccessToken=${access}`).expect(200);
      expect(me.body.userId).toBe('prefixed');
      const refreshed = await http().post('/api/auth/session/refresh').set('Cookie', `sRefreshToken=${refresh}`).expect(200);
      expect(setCookie(refreshed, 'sRefreshToken')?.attributes.path).toBe('/api/auth/session/refresh');
      const tokens = cookieTokens(refreshed);
      await http().get('/api/me').set('Cookie', `sAccessToken=${tokens.access}`).expect(200);

      const signout = await http().post('/api/auth/signout').set('Cookie', `sAccessToken=${tokens.access}`).expect(200);
      expect(setCookie(signout, 'sRefreshToken')?.attributes).toEqual(expect.objectContaining({ path: '/api/auth/session/refresh', expires: EPOCH }));
      await http().post('/api/auth/session/refresh').set('Cookie', `sRefreshToken=${tokens.refresh}`).expect(401);
      // The unprefixed routes are not served at all.
      await http().post('/auth/session/refresh').set('Cookie', `sRefreshToken=${tokens.refresh}`).expect(404);
    });

    it('header mode: sign-in, refresh and signout under the prefix', async () => {
      app = await appWithPrefix(platform, basicApp(), '/api/');
      const http = () => request(app!.getHttpServer());
      const login = await http().post('/api/login').send({ userId: 'prefixed' }).expect(201);
      const { refresh } = headerTokens(login);
      const refreshed = await http().post('/api/auth/session/refresh').set('Authorization', `Bearer ${refresh}`).expect(200);
      const tokens = headerTokens(refreshed);
      await http().get('/api/me').set('Authorization', `Bearer ${tokens.access}`).expect(200);
      await http().post('/api/auth/signout').set('Authorization', `Bearer ${tokens.access}`).expect(200);
      await http().post('/api/auth/session/refresh').set('Authorization', `Bearer ${tokens.refresh}`).expect(401);
    });

    it('built-in routes excluded from the prefix keep their path, and so does the refresh cookie', async () => {
      app = await appWithPrefix(platform, basicApp(), 'api', { exclude: [{ path: 'auth/{*rest}', method: RequestMethod.ALL }] });
      const http = () => request(app!.getHttpServer());
      const login = await http().post('/api/login').set('st-auth-mode', 'cookie').send({}).expect(201);
      expect(setCookie(login, 'sRefreshToken')?.attributes.path).toBe('/auth/session/refresh');
      await http().post('/auth/session/refresh').set('Cookie', `sRefreshToken=${cookieTokens(login).refresh}`).expect(200);
    });
  });

  describe('AuthGuard without SessionModule', () => {
    @Controller()
    class GuardedController {
      @Get('me')
      @UseGuards(AuthGuard)
      me(@Session() session: SessionContainer) {
        return { userId: session.getUserId() };
      }
    }

    it('stops the app at start with the fix in the message', async () => {
      await expect(createTestApp(platform, { controllers: [GuardedController] })).rejects.toThrow(
        'AuthGuard is used but this app has no SessionModule: import SessionModule.forRoot(...) (or forRootAsync) in the application module',
      );
    });

    it('starts when the module is imported elsewhere in the app, even non-global', async () => {
      @Module({ controllers: [GuardedController] })
      class FeatureModule {}
      app = await createTestApp(platform, {
        imports: [SessionModule.forRoot({ database: testDatabaseOptions(), cleanupInterval: 0, isGlobal: false }), FeatureModule],
      });
      await request(app.getHttpServer()).get('/me').expect(401);
    });
  });

  describe('forRootAsync factory options are checked at start', () => {
    const withFactoryOptions = (options: Record<string, unknown>) =>
      createTestApp(platform, {
        imports: [SessionModule.forRootAsync({ useFactory: async () => ({ database: testDatabaseOptions(), cleanupInterval: 0, ...options }) as SessionModuleOptions })],
      });

    it('a number given as a string (an environment variable) names the received type', async () => {
      await expect(withFactoryOptions({ accessTokenValidity: '3600' })).rejects.toThrow(
        'invalid SessionModule options: accessTokenValidity: expected a number, got string "3600"',
      );
    });

    it('a typo names the unknown key and the option it probably meant', async () => {
      await expect(withFactoryOptions({ accesTokenValidity: 3600 })).rejects.toThrow(
        'invalid SessionModule options: unknown option "accesTokenValidity" (did you mean "accessTokenValidity"?)',
      );
    });

    it('every problem at once, nested options included', async () => {
      await expect(withFactoryOptions({ cookieSecure: 'true', jwt: { enable: 1, lifetime: 60 } })).rejects.toThrow(
        'invalid SessionModule options: cookieSecure: expected a boolean, got string "true"; jwt.enable: expected a boolean, got number 1; unknown option "jwt.lifetime"',
      );
    });

    it('a declaration-time setting returned by the factory says where it belongs', async () => {
      await expect(withFactoryOptions({ globalGuard: true })).rejects.toThrow('"globalGuard" is read when the module is declared: pass it to forRoot/forRootAsync next to useFactory');
    });

    it('valid options start the app', async () => {
      app = await withFactoryOptions({ accessTokenValidity: 60, jwt: { enable: false } });
      expect(app).toBeDefined();
    });
  });

  it("an unsupported database.type gets the module's own error, not TypeORM's", async () => {
    await expect(createTestApp(platform, basicApp({ database: { type: 'oracle', connectString: 'x' } as never }))).rejects.toThrow(
      'nest-session does not support the "oracle" driver (supported: better-sqlite3, sqlite, postgres, mysql, mariadb)',
    );
  });

  it('signout with an invalid access token answers 401 try refresh token (the SDK refreshes and retries)', async () => {
    app = await createTestApp(platform, basicApp());
    const res = await request(app.getHttpServer()).post('/auth/signout').set('Authorization', 'Bearer not-a-token').expect(401);
    expect(res.body).toEqual({ message: 'try refresh token' });
  });
});
