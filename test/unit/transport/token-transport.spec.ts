import { resolveSessionConfig } from '../../../src/config/session-config';
import type { SessionModuleOptions } from '../../../src/config/session-module-options';
import type { RequestLike } from '../../../src/transport/http-objects';
import { TokenTransport } from '../../../src/transport/token-transport';

/**
 * Reading and writing tokens in SuperTokens' wire format on bare request/response objects of
 * both adapters: which token a request carries and how (bearer first, a foreign bearer never
 * shadowing a cookie), which transfer method a new session gets, what a response gets for new
 * and cleared tokens, and that nothing the app exposed before is lost.
 */
const ACCESS = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiI1Iiwia2lkIjoiay0xIn0.eyJzdWIiOiJhIn0.c2ln';
const REFRESH = '0a1b2c3d-0000-4000-8000-000000000000.3.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';

function transport(options: SessionModuleOptions = {}) {
  return new TokenTransport(resolveSessionConfig(options, {}));
}

function req(headers: Record<string, string>, method = 'GET'): RequestLike {
  return { method, headers };
}

/** An Express-like response: Node's header API. */
function expressResponse() {
  const headers = new Map<string, unknown>();
  return {
    headers,
    getHeader: (n: string) => headers.get(n.toLowerCase()),
    setHeader: (n: string, v: unknown) => void headers.set(n.toLowerCase(), v),
    removeHeader: (n: string) => void headers.delete(n.toLowerCase()),
  };
}

/** A Fastify-like reply: headers buffered on the reply. */
function fastifyReply() {
  const headers = new Map<string, unknown>();
  return {
    headers,
    raw: {},
    code: () => undefined,
    header: (n: string, v: unknown) => void headers.set(n.toLowerCase(), v),
    getHeader: (n: string) => headers.get(n.toLowerCase()),
    removeHeader: (n: string) => void headers.delete(n.toLowerCase()),
  };
}

describe('TokenTransport', () => {
  describe('reading', () => {
    it('reads `Authorization: Bearer` exactly as the scheme regex does, whatever the spacing, case or line breaks', () => {
      // The reference: the rule the fast path must agree with (scheme case-insensitive, surrounding
      // whitespace trimmed, a single-line token).
      const reference = (header: string) => /^Bearer\s+(.+)$/i.exec(header.trim())?.[1].trim();
      const headers = [
        `Bearer ${ACCESS}`,
        `bearer ${ACCESS}`,
        `BEARER ${ACCESS}`,
        `Bearer  ${ACCESS}`,
        `Bearer\t${ACCESS}`,
        ` Bearer ${ACCESS} `,
        `Bearer ${ACCESS}\u00a0`,
        `Bearer \u00a0${ACCESS}`,
        `Bearer ${ACCESS}\ufeff`,
        `Bearer ${ACCESS}\n`,
        `Bearer ${ACCESS.slice(0, 10)}\n${ACCESS.slice(10)}`,
        `Bearer ${ACCESS.slice(0, 10)}\r${ACCESS.slice(10)}`,
        `Bearer ${ACCESS.slice(0, 10)}\u2028${ACCESS.slice(10)}`,
        `Bearer ${ACCESS.slice(0, 10)} ${ACCESS.slice(10)}`,
        'Bearer',
        'Bearer ',
        'Bearer x',
        'Bearerx',
        'Basic dXNlcjpwYXNz',
      ];
      for (const authorization of headers) {
        const found = transport().readAccessToken(req({ authorization }));
        expect({ authorization, token: found?.token }).toEqual({ authorization, token: reference(authorization) });
      }
    });

    it("readAccessTokenUnscanned differs from readAccessToken only on an exact `Bearer <token>` with a line break (the verifier's re-read)", () => {
      const t = transport();
      const lineBreaks = ['\n', '\r', '\u2028', '\u2029'].map((c) => `Bearer ${ACCESS.slice(0, 10)}${c}${ACCESS.slice(10)}`);
      for (const authorization of lineBreaks) {
        expect(t.readAccessToken(req({ authorization }))).toBeUndefined();
        expect(t.readAccessTokenUnscanned(req({ authorization }))).toEqual({ token: authorization.slice(7), transferMethod: 'header' });
        // A cookie beside it wins either way: the unscanned token does not have our tokens' shape.
        expect(t.readAccessTokenUnscanned(req({ authorization, cookie: 'sAccessToken=c' }))).toEqual({ token: 'c', transferMethod: 'cookie' });
      }
      for (const authorization of [`Bearer ${ACCESS}`, ` Bearer ${ACCESS}\n`, `bearer ${ACCESS}`, 'Bearer x', 'Basic dXNlcjpwYXNz']) {
        expect(t.readAccessTokenUnscanned(req({ authorization }))).toEqual(t.readAccessToken(req({ authorization })));
      }
    });

    it('reads the bearer first, then the cookie, with the transfer method it came in', () => {
      const t = transport();
      expect(t.readAccessToken(req({ authorization: `Bearer ${ACCESS}`, cookie: 'sAccessToken=cookie-token' }))).toEqual({ token: ACCESS, transferMethod: 'header' });
      expect(t.readAccessToken(req({ cookie: 'sAccessToken=cookie-token' }))).toEqual({ token: 'cookie-token', transferMethod: 'cookie' });
      expect(t.readAccessToken(req({}))).toBeUndefined();
    });

    it("lets a cookie session win over a bearer that is not one of ours (a gateway's), but answers a lone foreign bearer", () => {
      const t = transport();
      expect(t.readAccessToken(req({ authorization: 'Bearer gateway-token', cookie: 'sAccessToken=mine' }))).toEqual({ token: 'mine', transferMethod: 'cookie' });
      expect(t.readAccessToken(req({ authorization: 'Bearer gateway-token' }))).toEqual({ token: 'gateway-token', transferMethod: 'header' });
    });

    it('reads refresh tokens the same way, recognising ours by their shape', () => {
      const t = transport();
      expect(t.readRefreshToken(req({ authorization: `Bearer ${REFRESH}`, cookie: 'sRefreshToken=c' }))).toEqual({ token: REFRESH, transferMethod: 'header' });
      expect(t.readRefreshToken(req({ authorization: 'Bearer other', cookie: 'sRefreshToken=c' }))).toEqual({ token: 'c', transferMethod: 'cookie' });
    });

    it('honours getTokenTransferMethod when reading', () => {
      const cookieOnly = transport({ getTokenTransferMethod: () => 'cookie' });
      expect(cookieOnly.readAccessToken(req({ authorization: `Bearer ${ACCESS}` }))).toBeUndefined();
      const headerOnly = transport({ getTokenTransferMethod: () => 'header' });
      expect(headerOnly.readAccessToken(req({ cookie: 'sAccessToken=x' }))).toBeUndefined();
    });

    it('tells which transfer methods a request carries tokens in', () => {
      const t = transport();
      expect(t.methodsCarried(req({ cookie: 'sRefreshToken=r', authorization: 'Bearer x' }))).toEqual(['cookie', 'header']);
      expect(t.methodsCarried(req({ cookie: 'other=1' }))).toEqual([]);
    });

    it('picks the transfer method of a new session: the app, then st-auth-mode, then header', () => {
      expect(transport().methodForNewSession(req({ 'st-auth-mode': 'Cookie' }))).toBe('cookie');
      expect(transport().methodForNewSession(req({ 'st-auth-mode': 'bogus' }))).toBe('header');
      expect(transport().methodForNewSession(undefined)).toBe('header');
      expect(transport({ getTokenTransferMethod: () => 'cookie' }).methodForNewSession(req({ 'st-auth-mode': 'header' }))).toBe('cookie');
    });
  });

  describe.each([
    ['Express', expressResponse],
    ['Fastify', fastifyReply],
  ])('writing (%s response)', (_name, makeResponse) => {
    it('cookie mode: HttpOnly cookies (refresh cookie on the refresh path), front-token, anti-csrf, all exposed', () => {
      const res = makeResponse();
      transport({ cookieSecure: true, cookieDomain: 'example.com' }).writeTokens(res, 'cookie', {
        accessToken: 'a',
        frontToken: 'f',
        refreshToken: 'r',
        refreshTokenExpiresAt: 0,
        antiCsrfToken: 'csrf',
      });
      const cookies = res.headers.get('set-cookie') as string[];
      expect(cookies).toHaveLength(2);
      expect(cookies[0]).toMatch(/^sAccessToken=a; Path=\/; Expires=.*; Domain=example.com; HttpOnly; Secure; SameSite=Lax$/);
      expect(cookies[1]).toBe('sRefreshToken=r; Path=/auth/session/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; HttpOnly; Secure; SameSite=Lax');
      expect(res.headers.get('front-token')).toBe('f');
      expect(res.headers.get('anti-csrf')).toBe('csrf');
      expect(res.headers.get('access-control-expose-headers')).toBe('front-token, anti-csrf');
    });

    it('header mode: st-access-token / st-refresh-token, exposed after what the app exposed', () => {
      const res = makeResponse();
      res.headers.set('access-control-expose-headers', 'x-app, Front-Token');
      transport().writeTokens(res, 'header', { accessToken: 'a', frontToken: 'f', refreshToken: 'r', refreshTokenExpiresAt: 0 });
      expect(res.headers.get('st-access-token')).toBe('a');
      expect(res.headers.get('st-refresh-token')).toBe('r');
      expect(res.headers.get('set-cookie')).toBeUndefined();
      expect(res.headers.get('access-control-expose-headers')).toBe('x-app, Front-Token, st-access-token, st-refresh-token');
    });

    it('a re-issued access token replaces the earlier Set-Cookie of the same cookie in the same response', () => {
      const res = makeResponse();
      const t = transport();
      t.writeTokens(res, 'cookie', { accessToken: 'first', frontToken: 'f1' });
      t.writeTokens(res, 'cookie', { accessToken: 'second', frontToken: 'f2' });
      expect((res.headers.get('set-cookie') as string[]).map((c) => c.split(';')[0])).toEqual(['sAccessToken=second']);
      expect(res.headers.get('front-token')).toBe('f2');
    });

    it('clearing: expired empty cookies and/or empty headers, front-token remove', () => {
      const res = makeResponse();
      transport().clearTokens(res, ['cookie', 'header']);
      expect((res.headers.get('set-cookie') as string[]).map((c) => c.split('; ').slice(0, 3).join('; '))).toEqual([
        'sAccessToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
        'sRefreshToken=; Path=/auth/session/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      ]);
      expect(res.headers.get('st-access-token')).toBe('');
      expect(res.headers.get('st-refresh-token')).toBe('');
      expect(res.headers.get('front-token')).toBe('remove');
    });

    it("a new session's tokens clear the other transfer method's tokens the request carried", () => {
      const res = makeResponse();
      transport().writeSessionTokens({ request: req({ authorization: `Bearer ${ACCESS}` }), response: res }, 'cookie', {
        accessToken: 'a',
        frontToken: 'f',
        refreshToken: 'r',
        refreshTokenExpiresAt: 0,
      });
      expect(res.headers.get('st-access-token')).toBe('');
      expect((res.headers.get('set-cookie') as string[]).map((c) => c.split(';')[0])).toEqual(['sAccessToken=a', 'sRefreshToken=r']);
    });
  });
});
