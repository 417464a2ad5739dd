import type { INestApplication } from '@nestjs/common';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import { SessionService } from '../../src';
import { payloadApp } from '../fixtures/payload.app';
import { installClock, type TestClock } from '../support/clock';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { customClaimsOfToken, SessionClient, TRANSFER_MODES } from '../support/session-client';
import { decodeFrontToken, jwtPayload } from '../support/tokens';

/**
 * The payload can carry a plain JWT for other services (seed "Getting the JWT"): with `jwt: { enable: true }` the payload
 * carries, under `jwt`, a separately signed short-lived JWT of the custom claims with its own
 * issuer and validity; a service that only has plain jose and the JWKS route can verify it.
 */

const JWT_ISSUER = 'https://payload-jwt.example.test';
const JWT_VALIDITY = 300;

describe.each(PLATFORMS)('the JWT in the access-token payload (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;
  let clock: TestClock | undefined;
  beforeAll(async () => {
    app = await createTestApp(platform, payloadApp({ jwt: { enable: true, issuer: JWT_ISSUER, validitySeconds: JWT_VALIDITY } }));
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());
  afterEach(() => clock?.restore());

  /** What another service does: fetch the JWKS once, verify with plain jose and the expected issuer. */
  async function verifyAsAnotherService(token: string) {
    const jwks = (await request(app.getHttpServer()).get('/auth/jwt/jwks.json').expect(200)).body as JSONWebKeySet;
    return jwtVerify(token, createLocalJWKSet(jwks), { issuer: JWT_ISSUER, algorithms: ['RS256'] });
  }

  describe.each(TRANSFER_MODES)('online, in %s mode', (mode) => {
    it('GET /example returns getAccessTokenPayload()["jwt"]: a JWT of the custom claims that plain jose verifies against the JWKS route', async () => {
      const c = new SessionClient(app, mode);
      const login = await c.login({ userId: `jwt-${mode}`, payload: { customClaim: 'hello', roles: ['reader'] } });

      const res = await c.get('/example', login.access).expect(200);

      const token = res.body.token as string;
      expect(typeof token).toBe('string');
      const { payload, protectedHeader } = await verifyAsAnotherService(token);
      expect(protectedHeader).toEqual(expect.objectContaining({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) }));
      expect(payload).toEqual({
        customClaim: 'hello',
        roles: ['reader'],
        someKey: 'someValue',
        sub: `jwt-${mode}`,
        iss: JWT_ISSUER,
        iat: jwtPayload(login.access).iat,
        exp: jwtPayload(login.access).iat + JWT_VALIDITY,
      });
      // The same JWT rides in the access token and the front-token the frontend reads.
      expect(customClaimsOfToken(login.access).jwt).toBe(token);
      expect(decodeFrontToken(login.front).up.jwt).toBe(token);
      // The access token itself is a standard JWT of the module's own issuer, verifiable the same way.
      const jwks = (await request(app.getHttpServer()).get('/auth/jwt/jwks.json').expect(200)).body as JSONWebKeySet;
      await expect(jwtVerify(login.access, createLocalJWKSet(jwks), { issuer: 'nest-session', subject: `jwt-${mode}` })).resolves.toBeDefined();
    });

    it('an online merge re-signs it in the same response, with the new claim', async () => {
      const c = new SessionClient(app, mode);
      const login = await c.login({ userId: `jwt-merge-${mode}` });

      const res = await c.post('/updateinfo', undefined, login.access).expect(201);

      const jwt = customClaimsOfToken(c.tokensOf(res).access!).jwt;
      const { payload } = await verifyAsAnotherService(jwt);
      expect(payload).toEqual(expect.objectContaining({ someKey: 'someValue', newKey: 'newValue', iss: JWT_ISSUER }));
      expect(payload.exp).toBe(payload.iat! + JWT_VALIDITY);
      expect(decodeFrontToken(c.tokensOf(res).front!).up.jwt).toBe(jwt);
    });

    it('a refresh re-signs it: the new JWT differs, is newer and still verifies', async () => {
      const c = new SessionClient(app, mode);
      const login = await c.login({ userId: `jwt-refresh-${mode}`, payload: { customClaim: 'kept' } });
      const first = customClaimsOfToken(login.access).jwt as string;
      clock = installClock();
      clock.advance(120);

      const refreshed = await c.refreshSession(login.refresh).expect(200);

      const second = customClaimsOfToken(c.tokensOf(refreshed).access!).jwt as string;
      expect(second).not.toBe(first);
      const { payload } = await verifyAsAnotherService(second);
      expect(payload.iat).toBeGreaterThanOrEqual(jwtPayload(first).iat + 120);
      expect(payload).toEqual({
        customClaim: 'kept',
        someKey: 'someValue',
        sub: `jwt-refresh-${mode}`,
        iss: JWT_ISSUER,
        iat: payload.iat,
        exp: payload.iat! + JWT_VALIDITY,
      });
    });
  });

  describe('offline', () => {
    it('getSessionInformation(handle).customClaimsInAccessTokenPayload.jwt is a fresh JWT of the stored claims, offline merges included', async () => {
      const c = new SessionClient(app, 'header');
      const { handle } = await c.login({ userId: 'jwt-offline', payload: { customClaim: 'stored' } });
      expect(await sessions.mergeIntoAccessTokenPayload(handle, { plan: 'pro' })).toBe(true);

      // The seed's offline form: every session of the user, then its JWT.
      const sessionHandles = await sessions.getAllSessionHandlesForUser('jwt-offline');
      const info = await sessions.getSessionInformation(sessionHandles[0]);
      const currentJWT = info!.customClaimsInAccessTokenPayload['jwt'] as string;

      expect(info!.customClaimsInAccessTokenPayload).toEqual({ customClaim: 'stored', someKey: 'someValue', plan: 'pro', jwt: currentJWT });
      const { payload } = await verifyAsAnotherService(currentJWT);
      expect(payload).toEqual({
        customClaim: 'stored',
        someKey: 'someValue',
        plan: 'pro',
        sub: 'jwt-offline',
        iss: JWT_ISSUER,
        iat: payload.iat,
        exp: payload.iat! + JWT_VALIDITY,
      });
      expect(Math.abs(payload.iat! - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(1);
    });

    it('the legacy read-modify-write of the whole payload does not store the JWT; the next token carries a fresh one', async () => {
      const c = new SessionClient(app, 'header');
      const { handle, access } = await c.login({ userId: 'jwt-legacy' });

      const res = await c.post('/update-role-from-current', undefined, access).expect(200);

      const jwt = customClaimsOfToken(res.headers['st-access-token']).jwt as string;
      expect((await verifyAsAnotherService(jwt)).payload).toEqual(expect.objectContaining({ role: 'newRole', someKey: 'someValue' }));
      expect((await verifyAsAnotherService(jwt)).payload).not.toHaveProperty('jwt');
      const info = await sessions.getSessionInformation(handle);
      expect(Object.keys(info!.customClaimsInAccessTokenPayload).sort()).toEqual(['jwt', 'role', 'someKey']);
    });
  });

  it('a checkDatabase route does not mistake the JWT for a payload change: nothing to re-issue when the database agrees', async () => {
    const c = new SessionClient(app, 'header');
    const { access } = await c.login({ userId: 'jwt-checked' });
    const res = await c.get('/payload-checked', access).expect(200);
    expect(res.headers['front-token']).toBeUndefined();
    expect(res.body.payload.jwt).toBe(customClaimsOfToken(access).jwt);
  });

  it('propertyName moves it to another key', async () => {
    const other = await createTestApp(platform, payloadApp({ jwt: { enable: true, propertyName: 'serviceToken', issuer: JWT_ISSUER } }));
    try {
      const c = new SessionClient(other, 'header');
      const { access } = await c.login({ userId: 'renamed' });
      const claims = customClaimsOfToken(access);
      expect(Object.keys(claims).sort()).toEqual(['serviceToken', 'someKey']);
      expect(jwtPayload(claims.serviceToken)).toEqual(
        expect.objectContaining({ someKey: 'someValue', sub: 'renamed', iss: JWT_ISSUER, exp: jwtPayload(claims.serviceToken).iat + 3600 }),
      );
    } finally {
      await other.close();
    }
  });
});
