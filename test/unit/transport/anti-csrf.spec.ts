import type { RequestLike } from '../../../src/transport/http-objects';
import {
  checkAntiCsrf,
  directAntiCsrfOk,
  directRefreshAntiCsrfOk,
  needsAntiCsrfToken,
  newAntiCsrfToken,
  refreshAntiCsrfOk,
} from '../../../src/transport/anti-csrf';

/**
 * Every anti-CSRF rule, in one module: only cookie-mode requests are checked; `VIA_TOKEN` wants
 * the session's token echoed in `anti-csrf`, `VIA_CUSTOM_HEADER` a `rid` header; safe methods
 * pass unless a route forces the check; refreshes are always checked; `NONE` checks nothing.
 */
function req(method: string, headers: Record<string, string> = {}): RequestLike {
  return { method, headers };
}

describe('anti-CSRF rules', () => {
  it('gives an anti-CSRF token to cookie sessions under VIA_TOKEN only, 192 random bits each', () => {
    expect(needsAntiCsrfToken('VIA_TOKEN', 'cookie')).toBe(true);
    expect(needsAntiCsrfToken('VIA_TOKEN', 'header')).toBe(false);
    expect(needsAntiCsrfToken('VIA_CUSTOM_HEADER', 'cookie')).toBe(false);
    expect(newAntiCsrfToken()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newAntiCsrfToken()).not.toBe(newAntiCsrfToken());
  });

  describe('checkAntiCsrf (a request with an access token)', () => {
    const base = { mode: 'VIA_TOKEN' as const, transferMethod: 'cookie' as const, expectedToken: 'secret-token' };

    it('passes header-mode requests and mode NONE without looking', () => {
      expect(checkAntiCsrf({ ...base, request: req('POST'), transferMethod: 'header' })).toBe('ok');
      expect(checkAntiCsrf({ ...base, mode: 'NONE', request: req('POST') })).toBe('ok');
    });

    it('VIA_TOKEN: unsafe methods need the exact token, safe methods pass unless forced', () => {
      expect(checkAntiCsrf({ ...base, request: req('POST') })).toBe('token-mismatch');
      expect(checkAntiCsrf({ ...base, request: req('POST', { 'anti-csrf': 'secret-tokeX' }) })).toBe('token-mismatch');
      expect(checkAntiCsrf({ ...base, request: req('DELETE', { 'anti-csrf': 'secret-token' }) })).toBe('ok');
      expect(checkAntiCsrf({ ...base, request: req('GET') })).toBe('ok');
      expect(checkAntiCsrf({ ...base, request: req('GET'), antiCsrfCheck: true })).toBe('token-mismatch');
      expect(checkAntiCsrf({ ...base, request: req('POST'), antiCsrfCheck: false })).toBe('ok');
    });

    it('VIA_TOKEN: a session without a token fails a forced check (nothing to compare)', () => {
      expect(checkAntiCsrf({ ...base, expectedToken: null, request: req('POST', { 'anti-csrf': 'anything' }) })).toBe('token-mismatch');
    });

    it('VIA_CUSTOM_HEADER: unsafe methods need a rid header, whatever its value', () => {
      const custom = { ...base, mode: 'VIA_CUSTOM_HEADER' as const };
      expect(checkAntiCsrf({ ...custom, request: req('PUT') })).toBe('missing-custom-header');
      expect(checkAntiCsrf({ ...custom, request: req('PUT', { rid: '' }) })).toBe('ok');
      expect(checkAntiCsrf({ ...custom, request: req('HEAD') })).toBe('ok');
    });
  });

  it('directAntiCsrfOk (a token given directly): checked under VIA_TOKEN for sessions that have a token, unless turned off', () => {
    expect(directAntiCsrfOk('VIA_TOKEN', 't', 't')).toBe(true);
    expect(directAntiCsrfOk('VIA_TOKEN', 't', undefined)).toBe(false);
    expect(directAntiCsrfOk('VIA_TOKEN', 't', undefined, false)).toBe(true);
    expect(directAntiCsrfOk('VIA_TOKEN', null, undefined)).toBe(true);
    expect(directAntiCsrfOk('VIA_CUSTOM_HEADER', 't', undefined)).toBe(true);
  });

  it('refreshAntiCsrfOk (the refresh route): cookie refreshes always follow the rule of the mode', () => {
    expect(refreshAntiCsrfOk('VIA_TOKEN', req('POST', { 'anti-csrf': 'stored' }), 'cookie', 'stored')).toBe(true);
    expect(refreshAntiCsrfOk('VIA_TOKEN', req('POST'), 'cookie', 'stored')).toBe(false);
    expect(refreshAntiCsrfOk('VIA_CUSTOM_HEADER', req('POST'), 'cookie', null)).toBe(false);
    expect(refreshAntiCsrfOk('VIA_CUSTOM_HEADER', req('POST', { rid: 'session' }), 'cookie', null)).toBe(true);
    expect(refreshAntiCsrfOk('VIA_TOKEN', req('POST'), 'header', 'stored')).toBe(true);
    expect(refreshAntiCsrfOk('NONE', req('POST'), 'cookie', null)).toBe(true);
  });

  it('directRefreshAntiCsrfOk (a refresh token given directly): the stored token must be echoed unless disabled', () => {
    expect(directRefreshAntiCsrfOk('VIA_TOKEN', 'stored', 'stored', false)).toBe(true);
    expect(directRefreshAntiCsrfOk('VIA_TOKEN', 'stored', 'other', false)).toBe(false);
    expect(directRefreshAntiCsrfOk('VIA_TOKEN', 'stored', undefined, true)).toBe(true);
    expect(directRefreshAntiCsrfOk('VIA_TOKEN', null, undefined, false)).toBe(true);
  });
});
