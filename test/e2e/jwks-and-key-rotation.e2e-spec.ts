import type { INestApplication } from '@nestjs/common';
import { createHash, createPublicKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SESSION_ENTITIES, SessionService, type SigningAlgorithm } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { testDatabaseOptions } from '../support/database';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { headerTokens, jwtHeader, jwtPayload, lifetimeWithinJitter } from '../support/tokens';

/**
 * Signing keys rotate without breaking sessions: the JWKS publishes every key that may have signed
 * a live token (never a private member), old keys verify until their tokens expire, then retire.
 */

const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bearer = (token: string) => `Bearer ${token}`;

/** Private members of a JWK: never allowed in a published key set. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

async function login(app: INestApplication, body: Record<string, unknown> = { userId: 'alice' }) {
  const res = await request(app.getHttpServer()).post('/login').send(body).expect(201);
  return { ...headerTokens(res), sessionHandle: res.body.sessionHandle as string };
}

async function jwksOf(app: INestApplication): Promise<JSONWebKeySet> {
  const res = await request(app.getHttpServer()).get('/auth/jwt/jwks.json').expect(200);
  return res.body as JSONWebKeySet;
}

/** `/me` through the app's own guard. */
function me(app: INestApplication, accessToken: string) {
  return request(app.getHttpServer()).get('/me').set('Authorization', bearer(accessToken));
}

describe.each(PLATFORMS)('JWKS and signing keys (%s)', (platform) => {
  afterEach(() => jest.restoreAllMocks());

  describe('a third party verifies access tokens with plain jose', () => {
    let app: INestApplication;
    let baseUrl: string;
    beforeAll(async () => {
      // Cache off: every guarded request really checks the signature.
      app = await createTestApp(platform, basicApp({ verifiedTokenCacheSize: 0 }));
      await app.listen(0, '127.0.0.1');
      baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    });
    afterAll(() => app.close());

    it('serves the public keys only, on /auth/jwt/jwks.json and /.well-known/jwks.json', async () => {
      const res = await request(app.getHttpServer()).get('/auth/jwt/jwks.json').expect(200).expect('content-type', /application\/json/);
      expect(res.headers['cache-control']).toBe('max-age=60, must-revalidate');
      expect(res.body.keys).toHaveLength(1);
      const [key] = res.body.keys;
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
      for (const member of PRIVATE_JWK_MEMBERS) expect(key).not.toHaveProperty(member);
      const wellKnown = await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
      expect(wellKnown.body).toEqual(res.body);
      expect(app.get(SessionService).getJWKS()).toEqual(res.body);
    });

    it('the access token has the SuperTokens v5 header and payload, and verifies against the remote JWKS', async () => {
      const { access, refresh, sessionHandle } = await login(app, {
        userId: 'alice',
        tenantId: 'acme',
        payload: { role: 'admin', plan: { tier: 'pro', seats: 3 } },
      });
      const { keys } = await jwksOf(app);
      expect(jwtHeader(access)).toEqual({ alg: 'RS256', typ: 'JWT', version: '5', kid: keys[0].kid });

      const remote = createRemoteJWKSet(new URL(`${baseUrl}/auth/jwt/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(access, remote, { algorithms: ['RS256'], issuer: 'nest-session', subject: 'alice' });
      expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', version: '5', kid: keys[0].kid });
      // Built-in claims of later features (`st-role`, `st-perm`, ...) may ride along; everything else is exact.
      const withoutBuiltInClaims = Object.fromEntries(Object.entries(payload).filter(([key]) => !key.startsWith('st-')));
      expect(withoutBuiltInClaims).toEqual({
        sub: 'alice',
        iat: expect.any(Number),
        exp: lifetimeWithinJitter(3600, payload.iat as number),
        tId: 'acme',
        rsub: 'alice',
        sessionHandle,
        refreshTokenHash1: sha256Hex(refresh),
        parentRefreshTokenHash1: null,
        antiCsrfToken: null,
        iss: 'nest-session',
        role: 'admin',
        plan: { tier: 'pro', seats: 3 },
      });
      expect(Math.abs((payload.iat as number) - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(2);
    });

    it('a refreshed token links to its parent refresh token and still verifies with jose', async () => {
      const first = await login(app, { userId: 'bob' });
      const refreshed = headerTokens(
        await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', bearer(first.refresh)).expect(200),
      );
      const { payload } = await jwtVerify(refreshed.access, createLocalJWKSet(await jwksOf(app)), { algorithms: ['RS256'] });
      expect(payload).toMatchObject({
        sub: 'bob',
        sessionHandle: first.sessionHandle,
        refreshTokenHash1: sha256Hex(refreshed.refresh),
        parentRefreshTokenHash1: sha256Hex(first.refresh),
      });
    });

    it('after rotateSigningKey() old tokens still verify (guard and jose) and new tokens carry the new kid', async () => {
      const before = await login(app, { userId: 'carol' });
      const oldKid = jwtHeader(before.access).kid;

      await app.get(SessionService).rotateSigningKey();
      const after = await login(app, { userId: 'carol' });
      const newKid = jwtHeader(after.access).kid;
      expect(newKid).not.toBe(oldKid);

      const { keys } = await jwksOf(app);
      expect(keys.map((k) => k.kid)).toEqual([newKid, oldKid]);

      expect((await me(app, before.access).expect(200)).body.userId).toBe('carol');
      expect((await me(app, after.access).expect(200)).body.userId).toBe('carol');

      // A third party with a fresh key-set cache sees both keys.
      const remote = createRemoteJWKSet(new URL(`${baseUrl}/auth/jwt/jwks.json`));
      expect((await jwtVerify(before.access, remote)).protectedHeader.kid).toBe(oldKid);
      expect((await jwtVerify(after.access, remote)).protectedHeader.kid).toBe(newKid);

      // Refreshing a session started under the old key gives a token under the new key.
      const refreshed = headerTokens(
        await request(app.getHttpServer()).post('/auth/session/refresh').set('Authorization', bearer(before.refresh)).expect(200),
      );
      expect(jwtHeader(refreshed.access).kid).toBe(newKid);
    });
  });

  describe('automatic rotation when signingKeyRotationInterval elapses', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, basicApp({ signingKeyRotationInterval: 60, verifiedTokenCacheSize: 0 }));
    });
    afterAll(() => app.close());

    it('rotates on the first signing after the interval, keeps the old key until its tokens expired, then drops it', async () => {
      const t0 = Date.now();
      let now = t0;
      jest.spyOn(Date, 'now').mockImplementation(() => now);

      const early = await login(app, { userId: 'dora' });
      const oldKid = jwtHeader(early.access).kid;
      now = t0 + 30_000;
      expect(jwtHeader((await login(app, { userId: 'dora' })).access).kid).toBe(oldKid);

      now = t0 + 61_000;
      const late = await login(app, { userId: 'dora' });
      const newKid = jwtHeader(late.access).kid;
      expect(newKid).not.toBe(oldKid);
      expect((await jwksOf(app)).keys.map((k) => k.kid)).toEqual([newKid, oldKid]);

      expect((await me(app, early.access).expect(200)).body.userId).toBe('dora');
      const local = createLocalJWKSet(await jwksOf(app));
      expect((await jwtVerify(early.access, local)).protectedHeader.kid).toBe(oldKid);
      expect((await jwtVerify(late.access, local)).protectedHeader.kid).toBe(newKid);

      // The old key retires once every token it could have signed has expired (3600 s + 5 min slack).
      now = t0 + 61_000 + 3600_000 + 5 * 60_000 + 1_000;
      expect((await jwksOf(app)).keys.map((k) => k.kid)).toEqual([newKid]);
      expect((await me(app, early.access).expect(401)).body).toEqual({ message: 'try refresh token' });
      expect(await app.get(SessionService).cleanup()).toEqual({ sessions: 0, keys: 1 });
    });
  });

  describe('two instances sharing one database', () => {
    let dataSource: DataSource;
    let first: INestApplication;
    let second: INestApplication;
    beforeAll(async () => {
      dataSource = new DataSource({ ...testDatabaseOptions(), entities: [...SESSION_ENTITIES], synchronize: true });
      await dataSource.initialize();
      first = await createTestApp(platform, basicApp({ dataSource, verifiedTokenCacheSize: 0 }));
      second = await createTestApp(platform, basicApp({ dataSource, verifiedTokenCacheSize: 0 }));
    });
    afterAll(async () => {
      await first.close();
      await second.close();
      await dataSource.destroy();
    });

    it('share the signing key, and the other instance accepts tokens signed after one instance rotated', async () => {
      expect(await jwksOf(second)).toEqual(await jwksOf(first));
      const before = await login(first, { userId: 'gina' });
      expect((await me(second, before.access).expect(200)).body.userId).toBe('gina');

      await first.get(SessionService).rotateSigningKey();
      const after = await login(first, { userId: 'gina' });
      expect(jwtHeader(after.access).kid).not.toBe(jwtHeader(before.access).kid);

      // Unknown kids reload keys from the database at most once a second per instance.
      const later = Date.now() + 1_100;
      jest.spyOn(Date, 'now').mockImplementation(() => later);
      expect((await me(second, after.access).expect(200)).body.userId).toBe('gina');
      expect((await me(second, before.access).expect(200)).body.userId).toBe('gina');
      expect((await jwksOf(second)).keys.map((k) => k.kid)).toEqual([jwtHeader(after.access).kid, jwtHeader(before.access).kid]);
      // The second instance now signs with the newest key too.
      expect(jwtHeader((await login(second, { userId: 'gina' })).access).kid).toBe(jwtHeader(after.access).kid);
    });
  });

  describe.each<[SigningAlgorithm, Record<string, string>]>([
    ['ES256', { kty: 'EC', crv: 'P-256' }],
    ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }],
  ])('signingAlgorithm %s', (algorithm, keyShape) => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, basicApp({ signingAlgorithm: algorithm, verifiedTokenCacheSize: 0 }));
    });
    afterAll(() => app.close());

    it(`signs with ${algorithm}, publishes the key, and the token verifies with jose and the guard`, async () => {
      const { access } = await login(app, { userId: 'erin', payload: { scope: 'read' } });
      const { keys } = await jwksOf(app);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ ...keyShape, alg: algorithm, use: 'sig' });
      expect(keys[0]).not.toHaveProperty('d');
      expect(jwtHeader(access)).toEqual({ alg: algorithm, typ: 'JWT', version: '5', kid: keys[0].kid });
      const { payload } = await jwtVerify(access, createLocalJWKSet({ keys }), { algorithms: [algorithm] });
      expect(payload).toMatchObject({ sub: 'erin', scope: 'read', iss: 'nest-session' });
      expect((await me(app, access).expect(200)).body).toMatchObject({ userId: 'erin' });
    });

    it(`rotation keeps ${algorithm} and old tokens keep working`, async () => {
      const before = await login(app, { userId: 'fred' });
      await app.get(SessionService).rotateSigningKey();
      const after = await login(app, { userId: 'fred' });
      expect(jwtHeader(after.access)).toMatchObject({ alg: algorithm });
      expect(jwtHeader(after.access).kid).not.toBe(jwtHeader(before.access).kid);
      await me(app, before.access).expect(200);
      const local = createLocalJWKSet(await jwksOf(app));
      await expect(jwtVerify(before.access, local)).resolves.toBeDefined();
      await expect(jwtVerify(after.access, local)).resolves.toBeDefined();
    });
  });

  describe('forged tokens are refused', () => {
    let app: INestApplication;
    let genuine: { access: string };
    let kid: string;
    let jwks: JSONWebKeySet;
    beforeAll(async () => {
      app = await createTestApp(platform, basicApp({ verifiedTokenCacheSize: 0 }));
      genuine = await login(app, { userId: 'victim' });
      kid = jwtHeader(genuine.access).kid;
      jwks = await jwksOf(app);
    });
    afterAll(() => app.close());

    const escalated = () => ({ ...jwtPayload(genuine.access), sub: 'admin', rsub: 'admin', role: 'superuser' });

    it('a token signed by a foreign RSA key under the same kid', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(escalated()).setProtectedHeader({ alg: 'RS256', typ: 'JWT', version: '5', kid }).sign(privateKey);
      expect((await me(app, forged).expect(401)).body).toEqual({ message: 'try refresh token' });
      await expect(jwtVerify(forged, createLocalJWKSet(jwks))).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    });

    it('an unsigned token with alg "none" (with and without a signature part)', async () => {
      const head = b64url({ alg: 'none', typ: 'JWT', version: '5', kid });
      for (const forged of [`${head}.${b64url(escalated())}.`, `${head}.${b64url(escalated())}.${genuine.access.split('.')[2]}`]) {
        const res = await me(app, forged).expect(401);
        expect(res.body).toEqual({ message: 'try refresh token' });
      }
    });

    it('HS256 with the published RSA public key as the HMAC secret (algorithm confusion)', async () => {
      const publicJwk = jwks.keys[0];
      const pem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
      const jwkBytes = new TextEncoder().encode(JSON.stringify(publicJwk));
      for (const secret of [new TextEncoder().encode(pem), jwkBytes]) {
        const forged = await new SignJWT(escalated()).setProtectedHeader({ alg: 'HS256', typ: 'JWT', version: '5', kid }).sign(secret);
        expect((await me(app, forged).expect(401)).body).toEqual({ message: 'try refresh token' });
      }
    });

    it('a genuinely signed token whose header claims another algorithm is refused', async () => {
      const [, payload, signature] = genuine.access.split('.');
      const forged = `${b64url({ alg: 'PS256', typ: 'JWT', version: '5', kid })}.${payload}.${signature}`;
      expect((await me(app, forged).expect(401)).body).toEqual({ message: 'try refresh token' });
      // The genuine token itself is fine.
      expect((await me(app, genuine.access).expect(200)).body.userId).toBe('victim');
    });

  });
});
