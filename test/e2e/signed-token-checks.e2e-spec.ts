import type { INestApplication } from '@nestjs/common';
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SESSION_ENTITIES, TypeOrmSigningKeyStore } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { testDatabaseKind, testDatabaseOptions } from '../support/database';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { headerTokens, jwtHeader, jwtPayload } from '../support/tokens';

/**
 * A valid signature is not enough: tokens signed with the app's genuine private key (read from
 * its key table, as an attacker who stole it or a bug that signed the wrong thing would have it)
 * are still refused (401 "try refresh token") when their header or claims break the rules the
 * verifier keeps from jose's `jwtVerify`: the header's `alg` must be the key's, no critical
 * extension, the payload a JSON object, `iat`/`nbf`/`exp` numbers, `nbf` not in the future, `exp`
 * present and in the future; and `iss` must be the app's `issuer`. The control case (same key,
 * genuine header and payload) passes, so every refusal is the rule's doing, not a broken
 * signature. Cache off: every request is verified.
 */
const db = testDatabaseKind();
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe.each(PLATFORMS)(`tokens signed with the genuine key, refused by their header or claims (%s, ${db})`, (platform) => {
  let dataSource: DataSource;
  let app: INestApplication;
  let privateKey: KeyObject;
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;

  /** `header.payload` signed with the genuine key (RS256 unless another digest is asked for). */
  function signed(h: unknown, p: unknown, digest = 'sha256'): string {
    const input = `${b64(h)}.${b64(p)}`;
    return `${input}.${sign(digest, Buffer.from(input), privateKey).toString('base64url')}`;
  }

  beforeAll(async () => {
    dataSource = new DataSource({ ...testDatabaseOptions(), entities: [...SESSION_ENTITIES], synchronize: true });
    await dataSource.initialize();
    app = await createTestApp(platform, basicApp({ dataSource, verifiedTokenCacheSize: 0 }));
    const login = await request(app.getHttpServer()).post('/login').send({ userId: 'signed-user' }).expect(201);
    const { access } = headerTokens(login);
    header = jwtHeader(access);
    payload = jwtPayload(access);
    const row = (await new TypeOrmSigningKeyStore(dataSource).list()).find((k) => k.kid === header.kid)!;
    privateKey = createPrivateKey({ key: JSON.parse(row.privateJwk), format: 'jwk' });
  });
  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const get = (token: string) => request(app.getHttpServer()).get('/me').set('authorization', `Bearer ${token}`);

  it('control: the same key, header and payload re-signed here is accepted', async () => {
    expect((await get(signed(header, payload)).expect(200)).body.userId).toBe('signed-user');
  });

  const cases: [string, () => string][] = [
    ['nbf in the future', () => signed(header, { ...payload, nbf: now() + 3600 })],
    ['nbf not a number', () => signed(header, { ...payload, nbf: String(now() - 10) })],
    ['iat not a number', () => signed(header, { ...payload, iat: String(payload.iat) })],
    ['exp missing', () => signed(header, { ...payload, exp: undefined })],
    ['exp not a number', () => signed(header, { ...payload, exp: String(now() + 3600) })],
    ['exp in the past', () => signed(header, { ...payload, exp: now() - 1 })],
    ['payload a JSON array', () => signed(header, [payload])],
    ['payload not JSON', () => signed(header, '{"sub":')],
    ['payload missing sessionHandle', () => signed(header, { ...payload, sessionHandle: undefined })],
    ['another issuer', () => signed(header, { ...payload, iss: 'https://other.example' })],
    ['no issuer', () => signed(header, { ...payload, iss: undefined })],
    ['a critical header extension (crit: ["b64"], b64: true)', () => signed({ ...header, crit: ['b64'], b64: true }, payload)],
    ['header alg RS512 (signed with SHA-512 by the RS256 key)', () => signed({ ...header, alg: 'RS512' }, payload, 'sha512')],
    ['header a JSON array', () => signed([header], payload)],
  ];

  it.each(cases)('%s: 401 try refresh token', async (_name, token) => {
    const res = await get(token());
    expect({ status: res.status, body: res.body }).toEqual({ status: 401, body: { message: 'try refresh token' } });
  });
});
