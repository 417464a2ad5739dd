import { hasDuplicateCookie, readCookie, serialiseCookie } from '../../../src/transport/cookies';

/**
 * Cookies are read from the raw `Cookie` header without a parser dependency, the same on Express
 * and Fastify: first occurrence wins, quotes and percent-encoding are undone, malformed encoding
 * is kept as sent; Set-Cookie values carry every attribute the session cookies need.
 */
describe('readCookie', () => {
  it('finds a cookie among others, trimming spaces, first occurrence winning', () => {
    expect(readCookie('a=1; sAccessToken=tok; sAccessToken=later', 'sAccessToken')).toBe('tok');
    expect(readCookie('  sRefreshToken = r1 ;x=2', 'sRefreshToken')).toBe('r1');
  });

  it('joins a repeated Cookie header and reads across the parts', () => {
    expect(readCookie(['a=1', 'b=2'], 'b')).toBe('2');
  });

  it('undoes quotes and percent-encoding; keeps malformed encoding as sent', () => {
    expect(readCookie('v="quoted"', 'v')).toBe('quoted');
    expect(readCookie('v=a%20b%2Bc', 'v')).toBe('a b+c');
    expect(readCookie('v=%E0%A4%A', 'v')).toBe('%E0%A4%A');
  });

  it('answers undefined for a missing header, a missing cookie, parts without "=" and prefix look-alikes', () => {
    expect(readCookie(undefined, 'a')).toBeUndefined();
    expect(readCookie('b=1', 'a')).toBeUndefined();
    expect(readCookie('flag; a', 'a')).toBeUndefined();
    expect(readCookie('sAccessTokenX=1', 'sAccessToken')).toBeUndefined();
  });
});

describe('serialiseCookie', () => {
  it('writes value, path, expiry, domain and the security attributes', () => {
    const cookie = serialiseCookie('sAccessToken', 'a b', { path: '/', expires: 0, httpOnly: true, secure: true, sameSite: 'none', domain: 'example.com' });
    expect(cookie).toBe('sAccessToken=a%20b; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; HttpOnly; Secure; SameSite=None');
  });

  it('leaves out Domain and Secure when not asked for', () => {
    const cookie = serialiseCookie('sRefreshToken', 'r', { path: '/auth/session/refresh', expires: 86_400_000, httpOnly: true, secure: false, sameSite: 'lax' });
    expect(cookie).toBe('sRefreshToken=r; Path=/auth/session/refresh; Expires=Fri, 02 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax');
  });
});

describe('hasDuplicateCookie', () => {
  it('sees a name sent twice (a cookie of an older domain beside the current one), in one header or across repeated headers', () => {
    expect(hasDuplicateCookie('sAccessToken=old; a=1; sAccessToken=new', 'sAccessToken')).toBe(true);
    expect(hasDuplicateCookie(['sRefreshToken=old', ' sRefreshToken = new'], 'sRefreshToken')).toBe(true);
  });

  it('is not fooled by the name inside another cookie\'s name or value', () => {
    expect(hasDuplicateCookie('sAccessToken=a; xsAccessToken=b', 'sAccessToken')).toBe(false);
    expect(hasDuplicateCookie('sAccessToken=a; other=sAccessToken=b', 'sAccessToken')).toBe(false);
    expect(hasDuplicateCookie('sAccessToken=a', 'sAccessToken')).toBe(false);
    expect(hasDuplicateCookie(undefined, 'sAccessToken')).toBe(false);
  });
});
