import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AuthGuard, SessionModule, SessionService } from '../../src';
import { edgeCasesApp } from '../fixtures/edge-cases.app';
import { testDatabaseOptions } from '../support/database';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { cookieTokens, headerTokens, jwtHeader, setCookie } from '../support/tokens';
import { installClock } from '../support/clock';
import { Test } from '@nestjs/testing';

/**
 * The guard and the transport hold at the edges: protection inside `@Public()` classes, the root
 * route, a gateway's bearer beside a cookie session, frozen cached payloads, a refresh answering in
 * one transfer method, a global guard never guarding the refresh route, keys rotated elsewhere.
 */

describe.each(PLATFORMS)('guard and transport edge cases (%s)', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp(platform, edgeCasesApp());
  });
  afterAll(() => app.close());

  const login = (mode: 'header' | 'cookie' = 'header') => request(app.getHttpServer()).post('/login').set('st-auth-mode', mode).expect(201);

  it('keeps a @VerifySession() method protected inside a @Public() controller', async () => {
    await request(app.getHttpServer()).get('/area/open').expect(200, { open: true });
    const refused = await request(app.getHttpServer()).get('/area/secret').expect(401);
    expect(refused.body).toEqual({ message: 'unauthorised' });
    const { access } = headerTokens(await login());
    await request(app.getHttpServer()).get('/area/secret').set('Authorization', `Bearer ${access}`).expect(200, { userId: 'edge-user' });
  });

  it('guards the root route with a guard made with `new`', async () => {
    await request(app.getHttpServer()).get('/').expect(401, { message: 'unauthorised' });
    const { access } = headerTokens(await login());
    await request(app.getHttpServer()).get('/').set('Authorization', `Bearer ${access}`).expect(200, { userId: 'edge-user' });
  });

  it('uses the cookie session when an unrelated bearer token (a gateway\'s) is also sent', async () => {
    const { access } = cookieTokens(await login('cookie'));
    const res = await request(app.getHttpServer())
      .get('/')
      .set('Cookie', `sAccessToken=${access}`)
      .set('Authorization', 'Bearer gateway-token-123')
      .expect(200);
    expect(res.body).toEqual({ userId: 'edge-user' });
  });

  it('still answers a lone foreign bearer with 401 try refresh token', async () => {
    await request(app.getHttpServer()).get('/').set('Authorization', 'Bearer gateway-token-123').expect(401, { message: 'try refresh token' });
  });

  it('does not let a handler change the claims the next request with the same token sees', async () => {
    const { access } = headerTokens(await login());
    const tampered = await request(app.getHttpServer()).get('/tamper').set('Authorization', `Bearer ${access}`).expect(200);
    expect(tampered.body).toEqual({ mutated: false });
    const admin = await request(app.getHttpServer()).get('/admin').set('Authorization', `Bearer ${access}`).expect(403);
    expect(admin.body.claimValidationErrors[0].id).toBe('st-role');
  });

  it('clears the other transfer method\'s tokens when a refresh answers in one of them', async () => {
    const cookieLogin = cookieTokens(await login('cookie'));
    const headerLogin = headerTokens(await login('header'));
    const res = await request(app.getHttpServer())
      .post('/auth/session/refresh')
      .set('Authorization', `Bearer ${headerLogin.refresh}`)
      .set('Cookie', `sAccessToken=${cookieLogin.access}`)
      .expect(200);
    expect(res.headers['st-refresh-token']).toBeTruthy();
    expect(setCookie(res, 'sAccessToken')?.value).toBe('');
    expect(setCookie(res, 'sRefreshToken')?.value).toBe('');
  });
});

describe.each(PLATFORMS)('a global guard with options (%s)', (platform) => {
  it('never guards the refresh route, so an expired session can still refresh', async () => {
    const clock = installClock();
    const moduleRef = await Test.createTestingModule(edgeCasesApp({ accessTokenValidity: 60 })).compile();
    const app = platform === 'fastify' ? await createFastify(moduleRef) : moduleRef.createNestApplication({ logger: false });
    app.useGlobalGuards(new AuthGuard({ checkDatabase: true }));
    await app.init();
    if (platform === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
    try {
      const login = await request(app.getHttpServer()).post('/login');
      // The global guard also guards /login: sign in through the service instead.
      expect(login.status).toBe(401);
      const session = await app.get(SessionService).createNewSessionWithoutRequestResponse('public', 'expired-user');
      clock.advance(61);
      const refreshed = await request(app.getHttpServer())
        .post('/auth/session/refresh')
        .set('Authorization', `Bearer ${session.getAllSessionTokensDangerously().refreshToken}`)
        .expect(200);
      expect(refreshed.headers['st-access-token']).toBeTruthy();
    } finally {
      clock.restore();
      await app.close();
    }
  });
});

async function createFastify(moduleRef: import('@nestjs/testing').TestingModule): Promise<INestApplication> {
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
}

describe('signing keys across instances', () => {
  it('an instance signs with a key another instance rotated to within a minute', async () => {
    const clock = installClock();
    const database = testDatabaseOptions();
    const first = await createTestApp('express', { imports: [SessionModule.forRoot({ database, cleanupInterval: 0 })] });
    const { DataSource } = await import('typeorm');
    const shared = first.get<InstanceType<typeof DataSource>>('nest-session:data-source');
    const second = await createTestApp('express', { imports: [SessionModule.forRoot({ dataSource: shared, cleanupInterval: 0 })] });
    try {
      const a = first.get(SessionService);
      const b = second.get(SessionService);
      const before = jwtHeader((await b.createNewSessionWithoutRequestResponse('public', 'u')).getAccessToken()).kid;
      await a.rotateSigningKey();
      const rotatedKid = jwtHeader((await a.createNewSessionWithoutRequestResponse('public', 'u')).getAccessToken()).kid;
      expect(rotatedKid).not.toBe(before);
      clock.advance(61);
      expect(jwtHeader((await b.createNewSessionWithoutRequestResponse('public', 'u')).getAccessToken()).kid).toBe(rotatedKid);
    } finally {
      clock.restore();
      await second.close();
      await first.close();
    }
  });
});

describe('apiBasePath given only to the async factory', () => {
  it('is refused at start, naming the mounted path', async () => {
    const moduleRef = Test.createTestingModule({
      imports: [SessionModule.forRootAsync({ useFactory: () => ({ database: testDatabaseOptions(), apiBasePath: '/api/auth' }) })],
    });
    await expect(moduleRef.compile()).rejects.toThrow('apiBasePath "/api/auth" from the options factory differs from the mounted "/auth"');
  });
});
