/**
 * Protocol fidelity with supertokens-node (issue 13): what SuperTokens' frontend SDKs see in the
 * corners of the protocol. Unauthorised answers and theft clear the tokens of every transfer
 * method (a refresh call without a refresh token included); `exposeAccessTokenToFrontendInCookieBasedAuth`;
 * two session cookies of one name and `olderCookieDomain`; the key routes readable from any
 * origin and the OpenID discovery document.
 *
 * Every expectation is what supertokens-node 24.0 (lib/ts/recipe/session: cookieAndHeaders.ts,
 * sessionRequestFunctions.ts, recipe.ts handleError, utils.ts; recipe/jwt/api/getJWKS.ts;
 * recipe/openid) sends, unless a comment says why we answer otherwise.
 */
import { Body, Controller, Get, type INestApplication, type ModuleMetadata, Post, Req, Res, UseGuards } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request, { type Response } from 'supertest';
import { AuthGuard, Session, type SessionContainer, SessionModule, type SessionModuleOptions, SessionService, UnauthorisedError } from '../../src';
import { testDatabaseOptions } from '../support/database';
import { PLATFORMS, type Platform } from '../support/platforms';
import { cookieTokens, headerTokens, jwtPayload, setCookie, setCookies } from '../support/tokens';

/** Sign-in (the transfer method comes from `st-auth-mode`), a guarded read, an online merge. */
@Controller()
class FidelityController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  async login(@Req() req: unknown, @Res({ passthrough: true }) res: unknown, @Body() body: { userId?: string }) {
    const session = await this.sessions.createNewSession(req, res, 'public', body?.userId ?? 'user-1');
    return { sessionHandle: session.getHandle() };
  }

  /** A sign-in that creates the session, then refuses the user (supertokens-node's "banned user" case). */
  @Post('login-then-refuse')
  async loginThenRefuse(@Req() req: unknown, @Res({ passthrough: true }) res: unknown): Promise<never> {
    await this.sessions.createNewSession(req, res, 'public', 'banned-user');
    throw new UnauthorisedError('user is banned');
  }

  @Get('me')
  @UseGuards(AuthGuard)
  me(@Session() session: SessionContainer) {
    return { userId: session.getUserId() };
  }

  @Get('strict')
  @UseGuards(new AuthGuard({ checkDatabase: true }))
  strict(@Session() session: SessionContainer) {
    return { userId: session.getUserId() };
  }

  @Post('merge')
  @UseGuards(AuthGuard)
  async merge(@Session() session: SessionContainer) {
    await session.mergeIntoAccessTokenPayload({ theme: 'dark' });
    return { ok: true };
  }
}

function fidelityApp(options: SessionModuleOptions = {}): ModuleMetadata {
  return {
    imports: [SessionModule.forRoot({ database: testDatabaseOptions(), cleanupInterval: 0, ...options })],
    controllers: [FidelityController],
  };
}

/** An app with the app's own CORS policy (a specific origin, credentials), as a real deployment has. */
async function createApp(platform: Platform, metadata: ModuleMetadata, cors?: { origin: string }): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  if (cors) app.enableCors({ origin: cors.origin, credentials: true });
  await app.init();
  if (platform === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';
const REFRESH_PATH = '/auth/session/refresh';

/** The header as a list of lowercase names (`Access-Control-Expose-Headers` may repeat names). */
function exposed(res: Response): string[] {
  const raw = res.headers['access-control-expose-headers'];
  return String(raw ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * supertokens-node's `clearSessionFromAllTokenTransferMethods`: for both transfer methods, both
 * tokens set to "" (cookies: empty value, expired at the epoch, same path/flags as when set;
 * headers: present and empty), `front-token: remove`, and the headers exposed.
 */
function expectEveryTokenCleared(res: Response, refreshPath = REFRESH_PATH): void {
  const access = setCookie(res, 'sAccessToken');
  const refresh = setCookie(res, 'sRefreshToken');
  expect(access).toEqual({ name: 'sAccessToken', value: '', attributes: expect.objectContaining({ path: '/', expires: EPOCH, httponly: true, samesite: 'Lax' }) });
  expect(refresh).toEqual({
    name: 'sRefreshToken',
    value: '',
    attributes: expect.objectContaining({ path: refreshPath, expires: EPOCH, httponly: true, samesite: 'Lax' }),
  });
  expect(res.headers['st-access-token']).toBe('');
  expect(res.headers['st-refresh-token']).toBe('');
  expect(res.headers['front-token']).toBe('remove');
  expect(exposed(res)).toEqual(expect.arrayContaining(['front-token', 'st-access-token', 'st-refresh-token']));
}

/** A response that leaves the client's tokens alone. */
function expectNothingCleared(res: Response): void {
  expect(setCookies(res)).toEqual([]);
  expect(res.headers['st-access-token']).toBeUndefined();
  expect(res.headers['st-refresh-token']).toBeUndefined();
  expect(res.headers['front-token']).toBeUndefined();
}

describe.each(PLATFORMS)('protocol fidelity with supertokens-node (%s)', (platform) => {
  describe('unauthorised answers clear every transfer method', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await createApp(platform, fidelityApp());
    });
    afterAll(() => app.close());

    async function cookieSession() {
      const res = await http().post('/login').set('st-auth-mode', 'cookie').send({}).expect(201);
      return cookieTokens(res) as { access: string; refresh: string };
    }

    async function headerSession() {
      const res = await http().post('/login').set('st-auth-mode', 'header').send({}).expect(201);
      return headerTokens(res);
    }

    it('a refresh call with no token at all: 401 unauthorised and both cookies, both headers and the front-token cleared', async () => {
      const res = await http().post(REFRESH_PATH);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
      expectEveryTokenCleared(res);
    });

    it('a refresh call with only an access-token cookie (the browser kept an HttpOnly cookie it cannot delete): 401, everything cleared', async () => {
      const { access } = await cookieSession();
      const res = await http().post(REFRESH_PATH).set('Cookie', `sAccessToken=${access}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
      expectEveryTokenCleared(res);
    });

    it('a refresh call carrying an access token as the bearer (no refresh token): 401, everything cleared', async () => {
      const { access } = await headerSession();
      const res = await http().post(REFRESH_PATH).set('Authorization', `Bearer ${access}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
      expectEveryTokenCleared(res);
    });

    it('a header-mode refresh of a signed-out session clears the cookies too', async () => {
      const { access, refresh } = await headerSession();
      await http().post('/auth/signout').set('Authorization', `Bearer ${access}`).expect(200);
      const res = await http().post(REFRESH_PATH).set('Authorization', `Bearer ${refresh}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
      expectEveryTokenCleared(res);
    });

    it('a cookie-mode request to a checkDatabase route of a revoked session clears the header tokens too', async () => {
      const { access } = await cookieSession();
      await http().post('/auth/signout').set('Cookie', `sAccessToken=${access}`).expect(200);
      const res = await http().get('/strict').set('Cookie', `sAccessToken=${access}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
      expectEveryTokenCleared(res);
    });

    it('a guarded route called with no tokens at all: 401 unauthorised, nothing cleared (clearTokens: false)', async () => {
      const res = await http().get('/me');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
      expectNothingCleared(res);
    });

    it('theft detected on a header-mode refresh: 401 token theft detected, the cookies cleared too', async () => {
      const first = await headerSession();
      const second = headerTokens(await http().post(REFRESH_PATH).set('Authorization', `Bearer ${first.refresh}`).expect(200));
      await http().post(REFRESH_PATH).set('Authorization', `Bearer ${second.refresh}`).expect(200);
      // The grace window (30 s) only covers a token superseded once; this one was superseded twice.
      const res = await http().post(REFRESH_PATH).set('Authorization', `Bearer ${first.refresh}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'token theft detected' });
      expectEveryTokenCleared(res);
    });

    it('a handler that creates a session and then answers unauthorised: the new tokens are overwritten by the clearing', async () => {
      for (const mode of ['cookie', 'header']) {
        const res = await http().post('/login-then-refuse').set('st-auth-mode', mode).send({});
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ message: 'unauthorised' });
        expectEveryTokenCleared(res);
        // One Set-Cookie per cookie (the clearing replaced the new one), no anti-csrf token of the refused session.
        expect(setCookies(res).map((cookie) => cookie.name).sort()).toEqual(['sAccessToken', 'sRefreshToken']);
        expect(res.headers['anti-csrf']).toBeUndefined();
      }
    });

    it('a session that still works is not touched by a refresh call without its refresh token', async () => {
      const { access } = await headerSession();
      await http().post(REFRESH_PATH).expect(401);
      await http().get('/me').set('Authorization', `Bearer ${access}`).expect(200);
    });
  });

  describe('a cookie-mode refresh failing the anti-CSRF rule (deliberately unlike supertokens-node)', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createApp(platform, fidelityApp({ antiCsrf: 'VIA_CUSTOM_HEADER' }));
    });
    afterAll(() => app.close());

    it('401 unauthorised with the tokens kept, so a forged cross-site refresh cannot sign the user out', async () => {
      // supertokens-node clears every token here (its issue 141). The SDKs always send `rid`, so
      // only a request the SDK did not make fails this check: with SameSite=None cookies (when
      // VIA_CUSTOM_HEADER is the default) that is a cross-site form post, and clearing on it
      // would let any site sign our users out. The session is left as it was.
      const signIn = await request(app.getHttpServer()).post('/login').set('st-auth-mode', 'cookie').send({}).expect(201);
      const { refresh } = cookieTokens(signIn);
      const res = await request(app.getHttpServer()).post(REFRESH_PATH).set('Cookie', `sRefreshToken=${refresh}`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
      expectNothingCleared(res);
      await request(app.getHttpServer()).post(REFRESH_PATH).set('Cookie', `sRefreshToken=${refresh}`).set('rid', 'session').expect(200);
    });
  });

  describe('exposeAccessTokenToFrontendInCookieBasedAuth', () => {
    let app: INestApplication;
    let plain: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await createApp(platform, fidelityApp({ exposeAccessTokenToFrontendInCookieBasedAuth: true }));
      plain = await createApp(platform, fidelityApp());
    });
    afterAll(async () => {
      await app.close();
      await plain.close();
    });

    /** Cookie mode with the access token also in `st-access-token` (never the refresh token). */
    function expectAccessTokenInBoth(res: Response): string {
      const cookie = setCookie(res, 'sAccessToken')!;
      expect(cookie.value).not.toBe('');
      expect(res.headers['st-access-token']).toBe(cookie.value);
      expect(res.headers['st-refresh-token']).toBeUndefined();
      expect(exposed(res)).toEqual(expect.arrayContaining(['front-token', 'st-access-token']));
      return cookie.value;
    }

    it('cookie-mode sign-in also sends the access token in st-access-token; the refresh token stays in its cookie only', async () => {
      const res = await http().post('/login').set('st-auth-mode', 'cookie').send({}).expect(201);
      const access = expectAccessTokenInBoth(res);
      expect(setCookie(res, 'sRefreshToken')!.value).not.toBe('');
      // The exposed token is the session's access token: it works as a bearer for third-party calls.
      await http().get('/me').set('Authorization', `Bearer ${access}`).expect(200);
    });

    it('a cookie-mode refresh and an online merge send it too', async () => {
      const signIn = await http().post('/login').set('st-auth-mode', 'cookie').send({}).expect(201);
      const { refresh } = cookieTokens(signIn);
      const refreshed = await http().post(REFRESH_PATH).set('Cookie', `sRefreshToken=${refresh}`).expect(200);
      const access = expectAccessTokenInBoth(refreshed);
      const merged = await http().post('/merge').set('Cookie', `sAccessToken=${access}`).expect(201);
      expect(jwtPayload(expectAccessTokenInBoth(merged)).theme).toBe('dark');
    });

    it('header mode is unchanged: both token headers, no cookies', async () => {
      const res = await http().post('/login').set('st-auth-mode', 'header').send({}).expect(201);
      expect(res.headers['st-access-token']).toEqual(expect.any(String));
      expect(res.headers['st-refresh-token']).toEqual(expect.any(String));
      expect(setCookies(res)).toEqual([]);
    });

    it('off by default: cookie mode sends no st-access-token header', async () => {
      const res = await request(plain.getHttpServer()).post('/login').set('st-auth-mode', 'cookie').send({}).expect(201);
      expect(setCookie(res, 'sAccessToken')!.value).not.toBe('');
      expect(res.headers['st-access-token']).toBeUndefined();
    });
  });

  describe('two session cookies of one name (a stale cookie on a parent domain)', () => {
    let withOlder: INestApplication;
    let without: INestApplication;
    const CLEARING = 'The request contains multiple session cookies. We are clearing the cookie from olderCookieDomain. Session will be refreshed in the next refresh call.';

    beforeAll(async () => {
      withOlder = await createApp(platform, fidelityApp({ cookieDomain: 'api.example.com', olderCookieDomain: 'example.com' }));
      without = await createApp(platform, fidelityApp({ cookieDomain: 'api.example.com' }));
    });
    afterAll(async () => {
      await withOlder.close();
      await without.close();
    });

    async function cookieSession(app: INestApplication) {
      const res = await request(app.getHttpServer()).post('/login').set('st-auth-mode', 'cookie').send({}).expect(201);
      return cookieTokens(res) as { access: string; refresh: string };
    }

    it('a guarded route with two access-token cookies answers 401 try refresh token and keeps the tokens', async () => {
      for (const app of [withOlder, without]) {
        const { access } = await cookieSession(app);
        const stale = (await cookieSession(app)).access;
        const res = await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${stale}; sAccessToken=${access}`);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ message: 'try refresh token' });
        expectNothingCleared(res);
      }
    });

    it('with olderCookieDomain, a refresh with two refresh-token cookies clears the older domain\'s cookie and answers 200 with the message', async () => {
      const { refresh } = await cookieSession(withOlder);
      const stale = (await cookieSession(withOlder)).refresh;
      const res = await request(withOlder.getHttpServer()).post(REFRESH_PATH).set('Cookie', `sRefreshToken=${stale}; sRefreshToken=${refresh}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: CLEARING });
      expect(setCookies(res)).toEqual([
        {
          name: 'sRefreshToken',
          value: '',
          attributes: expect.objectContaining({ domain: 'example.com', path: REFRESH_PATH, expires: EPOCH, httponly: true, samesite: 'Lax' }),
        },
      ]);
      // No refresh happened: no new tokens, no front-token.
      expect(res.headers['front-token']).toBeUndefined();
      expect(res.headers['st-access-token']).toBeUndefined();
      // The session is untouched: its refresh token still rotates.
      await request(withOlder.getHttpServer()).post(REFRESH_PATH).set('Cookie', `sRefreshToken=${refresh}`).expect(200);
    });

    it('with olderCookieDomain, duplicate access-token cookies on the refresh call clear the older access cookie (path /)', async () => {
      const { access, refresh } = await cookieSession(withOlder);
      const stale = (await cookieSession(withOlder)).access;
      const res = await request(withOlder.getHttpServer())
        .post(REFRESH_PATH)
        .set('Cookie', `sAccessToken=${stale}; sAccessToken=${access}; sRefreshToken=${refresh}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: CLEARING });
      expect(setCookies(res)).toEqual([
        { name: 'sAccessToken', value: '', attributes: expect.objectContaining({ domain: 'example.com', path: '/', expires: EPOCH, httponly: true }) },
      ]);
    });

    it('with olderCookieDomain and one cookie of each, a refresh rotates as usual', async () => {
      const { refresh } = await cookieSession(withOlder);
      const res = await request(withOlder.getHttpServer()).post(REFRESH_PATH).set('Cookie', `sRefreshToken=${refresh}`).expect(200);
      expect(setCookie(res, 'sRefreshToken')!.attributes.domain).toBe('api.example.com');
    });

    it('without olderCookieDomain, a refresh with two refresh-token cookies is refused with a message naming the option', async () => {
      // supertokens-node throws a plain Error here (a 500 from the framework). Our rule is never a
      // 500 for what a request carries (a sibling subdomain can plant such a cookie): a 4xx JSON
      // answer that tells the developer what to configure, and no new tokens.
      const { refresh } = await cookieSession(without);
      const stale = (await cookieSession(without)).refresh;
      const res = await request(without.getHttpServer()).post(REFRESH_PATH).set('Cookie', `sRefreshToken=${stale}; sRefreshToken=${refresh}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.message).toContain('olderCookieDomain');
      expect([undefined, 'remove']).toContain(res.headers['front-token']);
      expect(setCookies(res).filter((cookie) => cookie.value !== '')).toEqual([]);
    });
  });

  describe('JWKS and OpenID discovery for standard JWT libraries and gateways', () => {
    let app: INestApplication;
    const ISSUER = 'https://api.example.com/auth';
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      // The app's CORS allows one origin with credentials; the key routes answer `*` regardless.
      app = await createApp(platform, fidelityApp({ issuer: ISSUER }), { origin: 'https://app.example.com' });
    });
    afterAll(() => app.close());

    it.each(['/auth/jwt/jwks.json', '/.well-known/jwks.json'])('%s answers Access-Control-Allow-Origin: * whatever the app\'s CORS policy', async (path) => {
      const res = await http().get(path).set('Origin', 'https://elsewhere.example.org').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body.keys.length).toBeGreaterThan(0);
      expect(res.headers['cache-control']).toMatch(/^max-age=\d+, must-revalidate$/);
    });

    it('serves {apiBasePath}/.well-known/openid-configuration: issuer = the tokens\' iss, jwks_uri = the JWKS route', async () => {
      const signIn = await http().post('/login').send({}).expect(201);
      const res = await http().get('/auth/.well-known/openid-configuration').set('Origin', 'https://elsewhere.example.org').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body.issuer).toBe(jwtPayload(headerTokens(signIn).access).iss);
      expect(res.body.issuer).toBe(ISSUER);
      const jwksUri = new URL(res.body.jwks_uri);
      expect(jwksUri.protocol).toMatch(/^https?:$/);
      expect(jwksUri.pathname).toBe('/auth/jwt/jwks.json');
      const jwks = await http().get(jwksUri.pathname).expect(200);
      expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).toContain(JSON.parse(Buffer.from(headerTokens(signIn).access.split('.')[0], 'base64url').toString()).kid);
    });

    it('the discovery document follows a custom apiBasePath', async () => {
      const custom = await createApp(platform, fidelityApp({ apiBasePath: '/api/session' }));
      try {
        const res = await request(custom.getHttpServer()).get('/api/session/.well-known/openid-configuration').expect(200);
        expect(new URL(res.body.jwks_uri).pathname).toBe('/api/session/jwt/jwks.json');
        expect(res.headers['access-control-allow-origin']).toBe('*');
      } finally {
        await custom.close();
      }
    });
  });
});
