import { resolveSessionConfig } from '../../../src/config/session-config';
import { SessionConfigError } from '../../../src/errors/session-config-error';

/**
 * Option resolution: SuperTokens' defaults where it has them, derived values (refresh path,
 * anti-CSRF mode from SameSite, payload-JWT defaults), and impossible settings refused at start
 * with a message naming the option.
 */
describe('resolveSessionConfig', () => {
  it('fills the defaults', () => {
    const config = resolveSessionConfig({}, {});
    expect(config).toMatchObject({
      database: { type: 'better-sqlite3', database: 'sessions.sqlite' },
      accessTokenValidity: 3600,
      refreshTokenValidity: 100 * 24 * 3600,
      refreshGracePeriod: 30,
      apiBasePath: '/auth',
      refreshPath: '/auth/session/refresh',
      issuer: 'nest-session',
      cookieSecure: false,
      cookieSameSite: 'lax',
      antiCsrf: 'NONE',
      signingAlgorithm: 'RS256',
      signingKeyRotationInterval: 7 * 24 * 3600,
      verifiedTokenCacheSize: 10000,
      cleanupInterval: 3600,
      claimsToAddOnCreate: [],
      errorHandlers: {},
      jwt: { enable: false, propertyName: 'jwt', issuer: 'nest-session', validitySeconds: 3600 },
      userRoles: { addRolesToSession: true, addPermissionsToSession: true },
      requestProperty: 'session',
    });
    expect(config.propagationIntervalSeconds).toBeUndefined();
    expect(config.emailVerification).toBeUndefined();
  });

  it('derives: anti-CSRF VIA_CUSTOM_HEADER for SameSite=None, the refresh path from apiBasePath, payload-JWT issuer and validity', () => {
    const config = resolveSessionConfig(
      { cookieSameSite: 'none', cookieSecure: true, issuer: 'me', accessTokenValidity: 60, jwt: { enable: true }, propagatePayloadChanges: {} },
      { apiBasePath: 'api/auth/' },
    );
    expect(config.antiCsrf).toBe('VIA_CUSTOM_HEADER');
    expect(config.apiBasePath).toBe('/api/auth');
    expect(config.refreshPath).toBe('/api/auth/session/refresh');
    expect(config.jwt).toEqual({ enable: true, propertyName: 'jwt', issuer: 'me', validitySeconds: 60 });
    expect(config.propagationIntervalSeconds).toBe(60);
    expect(resolveSessionConfig({}, { apiBasePath: '/' }).refreshPath).toBe('/session/refresh');
  });

  it('keeps the stores it is given', () => {
    const store = {} as never;
    expect(resolveSessionConfig({ store, signingKeyStore: store, roleStore: store }, {})).toMatchObject({ store, signingKeyStore: store, roleStore: store });
  });

  it.each([
    [{ cookieSameSite: 'none' }, /requires cookieSecure: true/],
    [{ cookieSameSite: 'sideways' }, /cookieSameSite must be one of/],
    [{ antiCsrf: 'ALWAYS' }, /antiCsrf must be one of/],
    [{ signingAlgorithm: 'HS256' }, /signingAlgorithm must be one of/],
    [{ accessTokenValidity: 0 }, /accessTokenValidity must be a positive number/],
    [{ refreshTokenValidity: Number.NaN }, /refreshTokenValidity must be a positive number/],
    [{ refreshGracePeriod: -1 }, /refreshGracePeriod must be zero or a positive number/],
    [{ jwt: { enable: true, validitySeconds: -5 } }, /jwt.validitySeconds/],
    [{ emailVerification: { mode: 'SOMETIMES', isEmailVerified: () => true } }, /emailVerification.mode/],
    [{ emailVerification: { mode: 'REQUIRED' } }, /isEmailVerified must be a function/],
    [{ clock: { now: 5 } }, /clock must have a now\(\) method/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveSessionConfig(options as never, {})).toThrow(SessionConfigError);
    expect(() => resolveSessionConfig(options as never, {})).toThrow(message);
  });

  it('reads time from the system clock unless a clock is given', () => {
    const before = Date.now();
    expect(resolveSessionConfig({}, {}).clock.now()).toBeGreaterThanOrEqual(before);
    const clock = { now: () => 42 };
    expect(resolveSessionConfig({ clock }, {}).clock).toBe(clock);
  });

  it('refuses an apiBasePath from an async factory that differs from the mounted one', () => {
    expect(() => resolveSessionConfig({ apiBasePath: '/other' }, { apiBasePath: '/auth' })).toThrow(/differs from the mounted "\/auth"/);
    expect(resolveSessionConfig({ apiBasePath: '/auth/' }, {}).apiBasePath).toBe('/auth');
  });
});
