import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SessionModule, SessionService } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import {
  GloballyGuardedController,
  PublicAreaController,
  RouteGuardedController,
  SESSION_SETTINGS,
  type SessionSettings,
  SessionSettingsModule,
  SettingsBackedSessionOptions,
  StaticSessionOptions,
} from '../fixtures/registration.app';
import { testDatabaseOptions } from '../support/database';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { headerTokens, jwtHeader, jwtPayload, setCookie, lifetimeWithinJitter } from '../support/tokens';

/**
 * The module registers every way a Nest app expects (`forRoot`, `forRootAsync` with useFactory /
 * useClass / imports), as a global guard with `@Public()` opt-outs or per route, and two apps in one
 * process never see each other's state, not even through one shared `new AuthGuard(...)`.
 */

const bearer = (token: string) => `Bearer ${token}`;

async function login(app: INestApplication, userId: string, tenantId = 'public') {
  const res = await request(app.getHttpServer()).post('/login').send({ userId, tenantId }).expect(201);
  return { ...headerTokens(res), sessionHandle: res.body.sessionHandle as string };
}

describe.each(PLATFORMS)('module registration (%s)', (platform) => {
  describe('SessionModule.forRootAsync', () => {
    let app: INestApplication | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('useFactory: options returned by an async factory configure the module', async () => {
      app = await createTestApp(platform, {
        imports: [
          SessionModule.forRootAsync({
            useFactory: async () => ({ database: testDatabaseOptions(), cleanupInterval: 0, issuer: 'issuer-from-factory', accessTokenValidity: 90 }),
          }),
        ],
        controllers: [RouteGuardedController],
      });
      const { access } = await login(app, 'factory-user');
      expect(jwtPayload(access).iss).toBe('issuer-from-factory');
      const claims = await request(app.getHttpServer()).get('/token-claims').set('Authorization', bearer(access)).expect(200);
      expect(claims.body).toEqual({ iss: 'issuer-from-factory', lifetime: lifetimeWithinJitter(90) });
    });

    it('useClass: an options factory class configures the module', async () => {
      app = await createTestApp(platform, {
        imports: [SessionModule.forRootAsync({ useClass: StaticSessionOptions })],
        controllers: [RouteGuardedController],
      });
      const { access } = await login(app, 'class-user');
      const claims = await request(app.getHttpServer()).get('/token-claims').set('Authorization', bearer(access)).expect(200);
      expect(claims.body).toEqual({ iss: 'issuer-from-class', lifetime: lifetimeWithinJitter(300) });
    });

    it('imports + inject: the factory receives a provider of an imported config module', async () => {
      app = await createTestApp(platform, {
        imports: [
          SessionModule.forRootAsync({
            imports: [SessionSettingsModule],
            inject: [SESSION_SETTINGS],
            useFactory: (settings: SessionSettings) => ({
              database: testDatabaseOptions(),
              cleanupInterval: 0,
              issuer: settings.issuer,
              accessTokenValidity: settings.accessTokenValidity,
            }),
          }),
        ],
        controllers: [RouteGuardedController],
      });
      const { access } = await login(app, 'inject-user');
      const claims = await request(app.getHttpServer()).get('/token-claims').set('Authorization', bearer(access)).expect(200);
      expect(claims.body).toEqual({ iss: 'issuer-from-settings-module', lifetime: lifetimeWithinJitter(120) });
    });

    it('imports + useClass: the options class gets its dependencies from the imported module', async () => {
      app = await createTestApp(platform, {
        imports: [SessionModule.forRootAsync({ imports: [SessionSettingsModule], useClass: SettingsBackedSessionOptions })],
        controllers: [RouteGuardedController],
      });
      const { access } = await login(app, 'class-inject-user');
      const claims = await request(app.getHttpServer()).get('/token-claims').set('Authorization', bearer(access)).expect(200);
      expect(claims.body).toEqual({ iss: 'issuer-from-settings-module+class', lifetime: lifetimeWithinJitter(120) });
    });

    it('apiBasePath given next to useFactory mounts the refresh and JWKS routes there', async () => {
      app = await createTestApp(platform, {
        imports: [
          SessionModule.forRootAsync({
            apiBasePath: '/api/session-auth',
            useFactory: () => ({ database: testDatabaseOptions(), cleanupInterval: 0 }),
          }),
        ],
        controllers: [RouteGuardedController],
      });
      const server = app.getHttpServer();
      const cookieLogin = await request(server).post('/login').set('st-auth-mode', 'cookie').send({ userId: 'path-user' }).expect(201);
      expect(setCookie(cookieLogin, 'sRefreshToken')?.attributes.path).toBe('/api/session-auth/session/refresh');

      const { refresh, access } = await login(app, 'path-user');
      await request(server).post('/auth/session/refresh').set('Authorization', bearer(refresh)).expect(404);
      const refreshed = await request(server).post('/api/session-auth/session/refresh').set('Authorization', bearer(refresh)).expect(200);
      expect(refreshed.body).toEqual({});
      expect(jwtPayload(headerTokens(refreshed).access).sub).toBe('path-user');

      const jwks = await request(server).get('/api/session-auth/jwt/jwks.json').expect(200);
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual([jwtHeader(access).kid]);
    });
  });

  describe('globalGuard: true', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, {
        imports: [
          SessionModule.forRootAsync({
            globalGuard: true,
            useFactory: () => ({ database: testDatabaseOptions(), cleanupInterval: 0 }),
          }),
        ],
        controllers: [GloballyGuardedController, PublicAreaController],
      });
    });
    afterAll(() => app.close());

    it('protects a route that has no guard of its own', async () => {
      const res = await request(app.getHttpServer()).get('/me').expect(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('lets a valid session through, and Nest’s own @Session() reads it from req.session', async () => {
      const { access, sessionHandle } = await login(app, 'global-alice');
      const res = await request(app.getHttpServer()).get('/me').set('Authorization', bearer(access)).expect(200);
      expect(res.body).toEqual({ userId: 'global-alice', sessionHandle });
    });

    it('@Session("userId") style property access returns single values', async () => {
      const { access, sessionHandle } = await login(app, 'global-bob', 'tenant-7');
      const res = await request(app.getHttpServer()).get('/who').set('Authorization', bearer(access)).expect(200);
      expect(res.body).toEqual({ userId: 'global-bob', tenantId: 'tenant-7', sessionHandle });
    });

    it('@Public() routes answer without a session (and get none)', async () => {
      const res = await request(app.getHttpServer()).get('/health').expect(200);
      expect(res.body).toEqual({ ok: true, hasSession: false });
      const login = await request(app.getHttpServer()).post('/login').send({ userId: 'global-carol' }).expect(201);
      expect(headerTokens(login).access).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it('a @Public() controller is open, and its @Public(false) method is protected again', async () => {
      const server = app.getHttpServer();
      expect((await request(server).get('/public-area').expect(200)).body).toEqual({ area: 'public' });
      expect((await request(server).get('/public-area/private').expect(401)).body).toEqual({ message: 'unauthorised' });
      const { access } = await login(app, 'global-dave');
      const res = await request(server).get('/public-area/private').set('Authorization', bearer(access)).expect(200);
      expect(res.body).toEqual({ area: 'private', userId: 'global-dave' });
    });

    it('the built-in refresh and JWKS routes stay reachable under the global guard', async () => {
      const { refresh } = await login(app, 'global-erin');
      const refreshed = await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', bearer(refresh)).expect(200);
      expect(jwtPayload(headerTokens(refreshed).access).sub).toBe('global-erin');
      const jwks = await request(app.getHttpServer()).get('/auth/jwt/jwks.json').expect(200);
      expect(jwks.body.keys).toHaveLength(1);
    });

    it('@VerifySession({ checkDatabase: true }) refuses a session revoked offline at once, while plain routes still accept its token', async () => {
      const { access, sessionHandle } = await login(app, 'global-frank');
      const server = app.getHttpServer();
      expect((await request(server).get('/strict').set('Authorization', bearer(access)).expect(200)).body).toEqual({ userId: 'global-frank' });
      expect(await app.get(SessionService).revokeSession(sessionHandle)).toBe(true);
      const refused = await request(server).get('/strict').set('Authorization', bearer(access)).expect(401);
      expect(refused.body).toEqual({ message: 'unauthorised' });
      // Without checkDatabase the JWT alone is trusted until it expires (SuperTokens' semantics).
      await request(server).get('/me').set('Authorization', bearer(access)).expect(200);
    });
  });

  describe('per-route guards without globalGuard', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, {
        imports: [SessionModule.forRoot({ database: testDatabaseOptions(), cleanupInterval: 0 })],
        controllers: [RouteGuardedController],
      });
    });
    afterAll(() => app.close());

    it('routes without a guard stay open, and the module does nothing on their requests (no middleware, no marks)', async () => {
      expect((await request(app.getHttpServer()).get('/open').expect(200)).body).toEqual({ open: true, moduleMarks: [] });
    });

    it('@VerifySession() requires a session and @Session("userId") reads it', async () => {
      const server = app.getHttpServer();
      expect((await request(server).get('/verified').expect(401)).body).toEqual({ message: 'unauthorised' });
      const { access } = await login(app, 'route-alice');
      expect((await request(server).get('/verified').set('Authorization', bearer(access)).expect(200)).body).toEqual({ userId: 'route-alice' });
    });

    it('@VerifySession({ checkDatabase: true }) refuses a revoked session that @VerifySession() still accepts', async () => {
      const server = app.getHttpServer();
      const { access, sessionHandle } = await login(app, 'route-bob');
      await request(server).get('/verified-db').set('Authorization', bearer(access)).expect(200);
      await app.get(SessionService).revokeSession(sessionHandle);
      expect((await request(server).get('/verified-db').set('Authorization', bearer(access)).expect(401)).body).toEqual({ message: 'unauthorised' });
      expect((await request(server).get('/verified').set('Authorization', bearer(access)).expect(200)).body).toEqual({ userId: 'route-bob' });
    });

    it('@UseGuards(AuthGuard) puts the session on req.session for Nest’s own @Session()', async () => {
      const { access } = await login(app, 'route-carol', 'tenant-x');
      const res = await request(app.getHttpServer()).get('/nest-session').set('Authorization', bearer(access)).expect(200);
      expect(res.body).toEqual({ userId: 'route-carol', tenantId: 'tenant-x' });
    });
  });

  describe('two apps in one process', () => {
    let appA: INestApplication;
    let appB: INestApplication;
    beforeAll(async () => {
      appA = await createTestApp(platform, basicApp({ issuer: 'app-a' }));
      appB = await createTestApp(platform, basicApp({ issuer: 'app-b', accessTokenValidity: 60 }));
    });
    afterAll(async () => {
      await appA.close();
      await appB.close();
    });

    it('each app signs with its own options and its own keys', async () => {
      const a = headerTokens(await request(appA.getHttpServer()).post('/login').send({ userId: 'same-user' }).expect(201));
      const b = headerTokens(await request(appB.getHttpServer()).post('/login').send({ userId: 'same-user' }).expect(201));
      expect(jwtPayload(a.access)).toMatchObject({ iss: 'app-a', sub: 'same-user' });
      expect(jwtPayload(b.access)).toMatchObject({ iss: 'app-b', sub: 'same-user' });
      expect(jwtPayload(a.access).exp - jwtPayload(a.access).iat).toEqual(lifetimeWithinJitter(3600));
      expect(jwtPayload(b.access).exp - jwtPayload(b.access).iat).toEqual(lifetimeWithinJitter(60));
      const jwksA = (await request(appA.getHttpServer()).get('/auth/jwt/jwks.json').expect(200)).body.keys.map((k: { kid: string }) => k.kid);
      const jwksB = (await request(appB.getHttpServer()).get('/auth/jwt/jwks.json').expect(200)).body.keys.map((k: { kid: string }) => k.kid);
      expect(jwksA).toEqual([jwtHeader(a.access).kid]);
      expect(jwksB).toEqual([jwtHeader(b.access).kid]);
      expect(jwksA[0]).not.toBe(jwksB[0]);
    });

    it('a token of app A is refused by app B on every kind of guard, and accepted by app A', async () => {
      const a = headerTokens(await request(appA.getHttpServer()).post('/login').send({ userId: 'cross-user' }).expect(201));
      for (const path of ['/me', '/strict', '/optional']) {
        const res = await request(appB.getHttpServer()).get(path).set('Authorization', bearer(a.access)).expect(401);
        expect(res.body).toEqual({ message: 'try refresh token' });
        await request(appA.getHttpServer()).get(path).set('Authorization', bearer(a.access)).expect(200);
      }
      const refresh = await request(appB.getHttpServer()).post('/auth/session/refresh').set('Authorization', bearer(a.refresh)).expect(401);
      expect(refresh.body).toEqual({ message: 'unauthorised' });
    });

    it('the one `new AuthGuard({ checkDatabase: true })` instance both apps share checks each request against its own app', async () => {
      const a = await request(appA.getHttpServer()).post('/login').send({ userId: 'db-user-a' }).expect(201);
      const b = await request(appB.getHttpServer()).post('/login').send({ userId: 'db-user-b' }).expect(201);
      const accessA = headerTokens(a).access;
      const accessB = headerTokens(b).access;
      expect((await request(appA.getHttpServer()).get('/strict').set('Authorization', bearer(accessA)).expect(200)).body).toEqual({ userId: 'db-user-a' });
      expect((await request(appB.getHttpServer()).get('/strict').set('Authorization', bearer(accessB)).expect(200)).body).toEqual({ userId: 'db-user-b' });

      // Each app's service knows only its own sessions.
      expect(await appB.get(SessionService).getSessionInformation(a.body.sessionHandle)).toBeUndefined();
      expect(await appA.get(SessionService).getSessionInformation(b.body.sessionHandle)).toBeUndefined();
      expect(await appB.get(SessionService).revokeSession(a.body.sessionHandle)).toBe(false);
      await request(appA.getHttpServer()).get('/strict').set('Authorization', bearer(accessA)).expect(200);

      expect(await appA.get(SessionService).revokeSession(a.body.sessionHandle)).toBe(true);
      expect((await request(appA.getHttpServer()).get('/strict').set('Authorization', bearer(accessA)).expect(401)).body).toEqual({
        message: 'unauthorised',
      });
      expect((await request(appB.getHttpServer()).get('/strict').set('Authorization', bearer(accessB)).expect(200)).body).toEqual({ userId: 'db-user-b' });
    });

    it('closing another app in the same process leaves app B serving', async () => {
      const extra = await createTestApp(platform, basicApp({ issuer: 'short-lived' }));
      await extra.close();
      const b = headerTokens(await request(appB.getHttpServer()).post('/login').send({ userId: 'after-close' }).expect(201));
      expect((await request(appB.getHttpServer()).get('/me').set('Authorization', bearer(b.access)).expect(200)).body.userId).toBe('after-close');
    });
  });
});
