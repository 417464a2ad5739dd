import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { SessionConfigError, type SessionModuleOptions } from '../../../src';
import { resolveSessionConfig } from '../../../src/config/session-config';
import { hardeningApp } from '../../fixtures/hardening.app';
import { createTestApp, PLATFORMS } from '../../support/platforms';
import { setCookies } from '../../support/tokens';

/**
 * Issue 9 item 12 — cookie options cannot forge cookie attributes, and an opt-in `__Host-` prefix
 * for apps on one host:
 * - at start, a `cookieDomain` or `apiBasePath` (the refresh cookie's Path) holding `;`, CR, LF,
 *   spaces or anything else outside its syntax, a `cookieSameSite` that is not lax/strict/none,
 *   `SameSite=None` without `Secure`, and `cookieHostPrefix` without Secure or with a Domain are
 *   each refused with a clear `SessionConfigError`;
 * - with `cookieHostPrefix`, the access cookie is `__Host-sAccessToken` (Secure, Path=/, no
 *   Domain) and the refresh cookie `__Secure-sRefreshToken` (Secure, its narrow Path, no Domain):
 *   sign-in, guarded requests, refresh, 401s and sign-out all read and clear those names, and an
 *   unprefixed cookie (which a sibling subdomain could plant) is not read.
 */

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

describe('cookie options validated at start', () => {
  const refused: [string, SessionModuleOptions, RegExp][] = [
    ['cookieDomain with "; Secure" appended', { cookieDomain: 'example.com; Secure' }, /cookieDomain .* is not a host name/],
    ['cookieDomain with CR/LF (header injection)', { cookieDomain: 'example.com\r\nSet-Cookie: admin=1' }, /cookieDomain .* is not a host name/],
    ['cookieDomain with a space', { cookieDomain: 'example .com' }, /cookieDomain/],
    ['cookieDomain with "=" (attribute forging)', { cookieDomain: 'a.com;Path=/admin' }, /cookieDomain/],
    ['cookieDomain that is a URL', { cookieDomain: 'https://example.com' }, /cookieDomain/],
    ['apiBasePath with ";"', { apiBasePath: '/auth;Domain=evil.com' }, /apiBasePath .* may only hold URL path characters/],
    ['apiBasePath with CR/LF', { apiBasePath: '/auth\r\nX-Injected: 1' }, /apiBasePath/],
    ['apiBasePath with a space', { apiBasePath: '/my auth' }, /apiBasePath/],
    ['cookieSameSite not lower case', { cookieSameSite: 'None' as never, cookieSecure: true }, /cookieSameSite must be one of lax, strict, none/],
    ['cookieSameSite with an attribute appended', { cookieSameSite: 'lax; Domain=evil.com' as never }, /cookieSameSite/],
    ['SameSite=None without Secure', { cookieSameSite: 'none' }, /requires cookieSecure: true/],
    ['cookieSecure that is not a boolean', { cookieSecure: 'false' as never }, /cookieSecure(: expected a boolean, got string| must be true or false)/],
    ['cookieHostPrefix without Secure', { cookieHostPrefix: true }, /cookieHostPrefix requires cookieSecure: true and no cookieDomain/],
    ['cookieHostPrefix with a Domain', { cookieHostPrefix: true, cookieSecure: true, cookieDomain: 'example.com' }, /cookieHostPrefix requires/],
    ['maxAccessTokenBytes above what verification accepts', { maxAccessTokenBytes: { header: 20000 } }, /maxAccessTokenBytes.header/],
  ];

  it.each(refused)('%s is refused', (_label, options, message) => {
    let error: unknown;
    try {
      resolveSessionConfig(options, { apiBasePath: options.apiBasePath });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SessionConfigError);
    expect((error as Error).message).toMatch(message);
    // The message shows the bad value escaped: no raw CR/LF reaches a log line.
    expect((error as Error).message).not.toMatch(/[\r\n]/);
  });

  it('a forRoot apiBasePath (mounted path) with ";" is refused too', () => {
    expect(() => resolveSessionConfig({}, { apiBasePath: '/auth;x' })).toThrow(SessionConfigError);
  });

  it.each([
    ['a sub-domain', { cookieDomain: '.example.com' }],
    ['localhost', { cookieDomain: 'localhost' }],
    ['an IPv4 address', { cookieDomain: '127.0.0.1' }],
    ['a nested apiBasePath', { apiBasePath: '/api/v1/auth' }],
    ['SameSite=None with Secure', { cookieSameSite: 'none', cookieSecure: true }],
    ['the __Host- prefix with Secure and no Domain', { cookieHostPrefix: true, cookieSecure: true }],
  ] as [string, SessionModuleOptions][])('%s is accepted', (_label, options) => {
    expect(() => resolveSessionConfig(options, { apiBasePath: options.apiBasePath })).not.toThrow();
  });

  it('an app whose options inject a cookie attribute does not start', async () => {
    await expect(createTestApp('express', hardeningApp({ cookieDomain: 'example.com; HttpOnly=false' }))).rejects.toThrow(SessionConfigError);
  });
});

describe.each(PLATFORMS)('cookieHostPrefix (%s)', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp(platform, hardeningApp({ cookieHostPrefix: true, cookieSecure: true }));
  });
  afterAll(() => app.close());

  const cookie = (res: Response, name: string) => setCookies(res).find((c) => c.name === name);

  async function signIn(): Promise<{ access: string; refresh: string; res: Response }> {
    const res = await request(app.getHttpServer()).post('/login').set('st-auth-mode', 'cookie').send({ userId: 'host-only' }).expect(201);
    return { access: cookie(res, '__Host-sAccessToken')!.value, refresh: cookie(res, '__Secure-sRefreshToken')!.value, res };
  }

  it('sign-in sets __Host-sAccessToken (Secure, Path=/, no Domain) and __Secure-sRefreshToken (Secure, refresh path, no Domain), nothing unprefixed', async () => {
    const { res } = await signIn();
    expect(cookie(res, '__Host-sAccessToken')!.attributes).toEqual(expect.objectContaining({ path: '/', secure: true, httponly: true }));
    expect(cookie(res, '__Host-sAccessToken')!.attributes).not.toHaveProperty('domain');
    expect(cookie(res, '__Secure-sRefreshToken')!.attributes).toEqual(expect.objectContaining({ path: '/auth/session/refresh', secure: true, httponly: true }));
    expect(cookie(res, '__Secure-sRefreshToken')!.attributes).not.toHaveProperty('domain');
    expect(setCookies(res).map((c) => c.name).sort()).toEqual(['__Host-sAccessToken', '__Secure-sRefreshToken']);
  });

  it('guarded requests read the prefixed cookie and ignore an unprefixed one (a sibling subdomain could plant it)', async () => {
    const { access } = await signIn();
    await request(app.getHttpServer()).get('/me').set('Cookie', `__Host-sAccessToken=${access}`).expect(200);
    const planted = await request(app.getHttpServer()).get('/me').set('Cookie', `sAccessToken=${access}`);
    expect([planted.status, planted.body]).toEqual([401, { message: 'unauthorised' }]);
  });

  it('refresh reads __Secure-sRefreshToken and sets both prefixed cookies again', async () => {
    const { refresh } = await signIn();
    const res = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `__Secure-sRefreshToken=${refresh}`).expect(200);
    expect(cookie(res, '__Host-sAccessToken')!.value).not.toBe('');
    expect(cookie(res, '__Secure-sRefreshToken')!.value).not.toBe(refresh);
    const unprefixed = await request(app.getHttpServer()).post('/auth/session/refresh').set('Cookie', `sRefreshToken=${refresh}`);
    expect(unprefixed.status).toBe(401);
  });

  it('a 401 and sign-out clear the prefixed cookies, with the attributes the browser needs to accept the clearing', async () => {
    const { access } = await signIn();
    const signOut = await request(app.getHttpServer()).post('/auth/signout').set('Cookie', `__Host-sAccessToken=${access}`).expect(200);
    for (const res of [signOut, await request(app.getHttpServer()).get('/strict').set('Cookie', `__Host-sAccessToken=${access}`).expect(401)]) {
      expect(cookie(res, '__Host-sAccessToken')).toEqual({ name: '__Host-sAccessToken', value: '', attributes: expect.objectContaining({ path: '/', secure: true, expires: EPOCH }) });
      expect(cookie(res, '__Secure-sRefreshToken')).toEqual({
        name: '__Secure-sRefreshToken',
        value: '',
        attributes: expect.objectContaining({ path: '/auth/session/refresh', secure: true, expires: EPOCH }),
      });
      expect(res.headers['front-token']).toBe('remove');
    }
  });
});
