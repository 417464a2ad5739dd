import type { INestApplication } from '@nestjs/common';
import { createPublicKey, randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { SessionService } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { headerTokens, jwtHeader, jwtPayload } from '../support/tokens';

/**
 * Hostile tokens are refused, never honoured and never a 5xx: algorithm confusion, foreign or
 * forged keys and kids, tampered signatures and payloads, oversized and malformed input.
 */

/** Header lines of one hostile request. */
type Headers = Record<string, string | string[]>;

/** The genuine material hostile tokens are derived from. */
interface Material {
  access: string;
  refresh: string;
  kid: string;
  publicJwk: Record<string, unknown>;
  foreignAccess: string;
  foreignRefresh: string;
  foreignKeyPrivate: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
}

interface HostileCase {
  name: string;
  headers: (m: Material) => Headers | Promise<Headers>;
  expected: 'try refresh token' | 'unauthorised';
  /** Seconds to move the clock forward before the request. */
  clockSkewSeconds?: number;
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const HUGE = 100 * 1024;

/** Replace one part of a JWT. */
function withPart(token: string, index: 0 | 1 | 2, part: string): string {
  const parts = token.split('.');
  parts[index] = part;
  return parts.join('.');
}

/** Tokens sent to a guarded route (`GET /me`). */
const ACCESS_TOKEN_CASES: HostileCase[] = [
  { name: '`Authorization: Bearer` with no token', headers: () => ({ authorization: 'Bearer' }), expected: 'unauthorised' },
  { name: '`Authorization: Bearer ` with only spaces', headers: () => ({ authorization: 'Bearer    ' }), expected: 'unauthorised' },
  { name: 'another scheme (Basic)', headers: () => ({ authorization: 'Basic dXNlcjpwYXNz' }), expected: 'unauthorised' },
  { name: 'empty access-token cookie', headers: () => ({ cookie: 'sAccessToken=' }), expected: 'unauthorised' },
  { name: 'garbage', headers: () => bearer('not-a-jwt'), expected: 'try refresh token' },
  { name: 'three dots', headers: () => bearer('...'), expected: 'try refresh token' },
  { name: 'two dots only', headers: () => bearer('..'), expected: 'try refresh token' },
  { name: 'four segments', headers: (m) => bearer(`${m.access}.extra`), expected: 'try refresh token' },
  { name: 'base64 junk in every segment', headers: () => bearer([16, 64, 32].map((n) => randomBytes(n).toString('base64url')).join('.')), expected: 'try refresh token' },
  { name: 'JSON header that is not an object', headers: (m) => bearer(withPart(m.access, 0, b64json('RS256'))), expected: 'try refresh token' },
  { name: 'payload that is not JSON', headers: (m) => bearer(withPart(m.access, 1, Buffer.from('{not json').toString('base64url'))), expected: 'try refresh token' },
  { name: 'truncated signature', headers: (m) => bearer(m.access.slice(0, -12)), expected: 'try refresh token' },
  { name: 'signature removed', headers: (m) => bearer(withPart(m.access, 2, '')), expected: 'try refresh token' },
  { name: 'one signature character changed', headers: (m) => bearer(m.access.slice(0, -2) + (m.access.at(-2) === 'A' ? 'B' : 'A') + m.access.at(-1)), expected: 'try refresh token' },
  {
    name: 'payload modified (sub → admin), signature kept',
    headers: (m) => bearer(withPart(m.access, 1, b64json({ ...jwtPayload(m.access), sub: 'admin', rsub: 'admin' }))),
    expected: 'try refresh token',
  },
  {
    name: 'payload modified (exp pushed out), signature kept',
    headers: (m) => bearer(withPart(m.access, 1, b64json({ ...jwtPayload(m.access), exp: 4102444800 }))),
    expected: 'try refresh token',
  },
  {
    name: 'header modified (typ/version dropped), signature kept',
    headers: (m) => bearer(withPart(m.access, 0, b64json({ alg: 'RS256', kid: m.kid }))),
    expected: 'try refresh token',
  },
  {
    name: 'header modified (extra member), signature kept',
    headers: (m) => bearer(withPart(m.access, 0, b64json({ ...jwtHeader(m.access), jku: 'https://evil.example/jwks.json' }))),
    expected: 'try refresh token',
  },
  {
    name: 'alg none, no signature',
    headers: (m) => bearer(`${b64json({ alg: 'none', typ: 'JWT', version: '5', kid: m.kid })}.${m.access.split('.')[1]}.`),
    expected: 'try refresh token',
  },
  {
    name: 'alg none with the genuine signature attached',
    headers: (m) => bearer(withPart(m.access, 0, b64json({ alg: 'none', typ: 'JWT', version: '5', kid: m.kid }))),
    expected: 'try refresh token',
  },
  {
    name: 'HS256 signed with the published public key (algorithm confusion)',
    headers: async (m) => {
      const pem = createPublicKey({ key: m.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
      const forged = await new SignJWT({ ...jwtPayload(m.access), sub: 'admin' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', version: '5', kid: m.kid })
        .sign(new TextEncoder().encode(pem));
      return bearer(forged);
    },
    expected: 'try refresh token',
  },
  {
    name: 'signed by a foreign key under the genuine kid',
    headers: async (m) =>
      bearer(await new SignJWT(jwtPayload(m.access)).setProtectedHeader({ alg: 'RS256', typ: 'JWT', version: '5', kid: m.kid }).sign(m.foreignKeyPrivate)),
    expected: 'try refresh token',
  },
  {
    name: 'wrong (unknown) kid',
    headers: (m) => bearer(withPart(m.access, 0, b64json({ ...jwtHeader(m.access), kid: 'k-00000000-0000-4000-8000-000000000000' }))),
    expected: 'try refresh token',
  },
  { name: 'a JWT from another app instance with its own database', headers: (m) => bearer(m.foreignAccess), expected: 'try refresh token' },
  { name: 'foreign JWT in the access-token cookie', headers: (m) => ({ cookie: `sAccessToken=${m.foreignAccess}` }), expected: 'try refresh token' },
  { name: 'expired (clock 1 s past exp)', headers: (m) => bearer(m.access), expected: 'try refresh token', clockSkewSeconds: 3601 },
  { name: 'huge token (100 KB)', headers: () => bearer('A'.repeat(HUGE / 2) + '.' + 'B'.repeat(HUGE / 2) + '.c'), expected: 'try refresh token' },
  { name: 'huge cookie (100 KB)', headers: (m) => ({ cookie: `sAccessToken=${m.access}${'A'.repeat(HUGE)}` }), expected: 'try refresh token' },
  { name: 'non-ASCII (Latin-1) characters', headers: (m) => bearer(`${m.access}é`), expected: 'try refresh token' },
  { name: 'raw UTF-8 bytes (emoji) in the header', headers: (m) => bearer(Buffer.from(`${m.access.slice(0, 20)}🙂`).toString('latin1')), expected: 'try refresh token' },
  { name: 'null bytes (percent-encoded in the cookie)', headers: (m) => ({ cookie: `sAccessToken=${m.access.slice(0, 30)}%00%00${m.access.slice(30)}` }), expected: 'try refresh token' },
  { name: 'cookie with bad percent-encoding', headers: () => ({ cookie: 'sAccessToken=%E0%A4%A' }), expected: 'try refresh token' },
  { name: 'cookie wrapped in quotes around garbage', headers: () => ({ cookie: 'sAccessToken="a.b.c"' }), expected: 'try refresh token' },
  { name: 'refresh token used as an access token', headers: (m) => bearer(m.refresh), expected: 'try refresh token' },
  {
    name: 'two Authorization headers (garbage first, genuine second)',
    headers: (m) => ({ authorization: ['Bearer garbage', `Bearer ${m.access}`] }),
    expected: 'try refresh token',
  },
  { name: 'two tokens comma-joined in one Authorization header', headers: (m) => ({ authorization: `Bearer ${m.access}, Bearer ${m.access}` }), expected: 'try refresh token' },
];

/** Refresh tokens sent to `POST /auth/session/refresh`. */
const REFRESH_TOKEN_CASES: HostileCase[] = [
  { name: 'no token at all', headers: () => ({}), expected: 'unauthorised' },
  { name: '`Authorization: Bearer` with no token', headers: () => ({ authorization: 'Bearer' }), expected: 'unauthorised' },
  { name: 'empty refresh cookie', headers: () => ({ cookie: 'sRefreshToken=' }), expected: 'unauthorised' },
  { name: 'garbage', headers: () => bearer('not-a-refresh-token'), expected: 'unauthorised' },
  { name: 'three dots', headers: () => bearer('...'), expected: 'unauthorised' },
  { name: 'base64 junk', headers: () => bearer(randomBytes(48).toString('base64url')), expected: 'unauthorised' },
  { name: 'truncated', headers: (m) => bearer(m.refresh.slice(0, -5)), expected: 'unauthorised' },
  { name: 'last secret character changed', headers: (m) => bearer(m.refresh.slice(0, -1) + (m.refresh.endsWith('A') ? 'B' : 'A')), expected: 'unauthorised' },
  {
    name: 'generation bumped (a future token)',
    headers: (m) => {
      const [handle, generation, secret] = m.refresh.split('.');
      return bearer(`${handle}.${Number(generation) + 1}.${secret}`);
    },
    expected: 'unauthorised',
  },
  {
    name: 'generation out of range (20 digits)',
    headers: (m) => {
      const [handle, , secret] = m.refresh.split('.');
      return bearer(`${handle}.99999999999999999999.${secret}`);
    },
    expected: 'unauthorised',
  },
  {
    name: 'genuine secret under an unknown session handle',
    headers: (m) => bearer(`0b9f4c1e-3d2a-4e5f-9a8b-7c6d5e4f3a2b.${m.refresh.split('.').slice(1).join('.')}`),
    expected: 'unauthorised',
  },
  { name: 'refresh token of another app instance', headers: (m) => bearer(m.foreignRefresh), expected: 'unauthorised' },
  { name: 'access token used as a refresh token', headers: (m) => bearer(m.access), expected: 'unauthorised' },
  { name: 'huge token (100 KB)', headers: () => bearer('A'.repeat(HUGE)), expected: 'unauthorised' },
  { name: 'non-ASCII (Latin-1) characters', headers: (m) => bearer(`${m.refresh}ü`), expected: 'unauthorised' },
  { name: 'null bytes (percent-encoded in the cookie)', headers: (m) => ({ cookie: `sRefreshToken=${m.refresh}%00` }), expected: 'unauthorised' },
  { name: 'cookie with bad percent-encoding', headers: () => ({ cookie: 'sRefreshToken=%E0%A4%A' }), expected: 'unauthorised' },
  {
    name: 'two Authorization headers (garbage first, genuine second)',
    headers: (m) => ({ authorization: ['Bearer garbage', `Bearer ${m.refresh}`] }),
    expected: 'unauthorised',
  },
  { name: 'two tokens comma-joined', headers: (m) => ({ authorization: `Bearer ${m.refresh}, Bearer ${m.refresh}` }), expected: 'unauthorised' },
];

/**
 * Node refuses request headers over 16 KB with a bare 431 before any app code runs. To show what
 * the module itself does with a 100 KB token, the app is also served from a server that accepts
 * 1 MB of headers (what a proxy in front of it might forward).
 */
function serveWithLargeHeaders(app: INestApplication): Server {
  const listener = (app.getHttpServer() as Server).listeners('request')[0] as RequestListener;
  return createServer({ maxHeaderSize: 1024 * 1024 }, listener);
}

describe.each(PLATFORMS)('hostile tokens (%s)', (platform) => {
  let app: INestApplication;
  let foreign: INestApplication;
  let server: Server;
  let material: Material;
  let genuineHandle: string;

  beforeAll(async () => {
    app = await createTestApp(platform, basicApp());
    foreign = await createTestApp(platform, basicApp());
    server = serveWithLargeHeaders(app);

    const login = await request(app.getHttpServer()).post('/login').send({ userId: 'target' }).expect(201);
    genuineHandle = login.body.sessionHandle;
    const { access, refresh } = headerTokens(login);
    const foreignLogin = headerTokens(await request(foreign.getHttpServer()).post('/login').send({ userId: 'target' }).expect(201));
    const jwks = await request(app.getHttpServer()).get('/auth/jwt/jwks.json').expect(200);
    material = {
      access,
      refresh,
      kid: jwtHeader(access).kid,
      publicJwk: jwks.body.keys[0],
      foreignAccess: foreignLogin.access,
      foreignRefresh: foreignLogin.refresh,
      foreignKeyPrivate: (await generateKeyPair('RS256')).privateKey,
    };
  });
  afterAll(async () => {
    await app.close();
    await foreign.close();
  });
  afterEach(() => jest.restoreAllMocks());

  async function send(method: 'get' | 'post', path: string, hostile: HostileCase) {
    const headers = await hostile.headers(material);
    if (hostile.clockSkewSeconds) {
      const skewed = Date.now() + hostile.clockSkewSeconds * 1000;
      jest.spyOn(Date, 'now').mockImplementation(() => skewed);
    }
    let req = request(server)[method](path);
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value as string);
    return req;
  }

  function expectJson401(res: request.Response, expected: string) {
    expect({ status: res.status, contentType: res.headers['content-type'], body: res.body }).toEqual({
      status: 401,
      contentType: expect.stringMatching(/^application\/json/),
      body: { message: expected },
    });
  }

  it('has at least 20 hostile access tokens and 15 hostile refresh tokens in its tables', () => {
    expect(ACCESS_TOKEN_CASES.length).toBeGreaterThanOrEqual(20);
    expect(REFRESH_TOKEN_CASES.length).toBeGreaterThanOrEqual(15);
  });

  it('the genuine tokens work (control)', async () => {
    expect((await request(server).get('/me').set(bearer(material.access)).expect(200)).body.userId).toBe('target');
    expect((await request(server).get('/me').set('cookie', `sAccessToken=${material.access}`).expect(200)).body.userId).toBe('target');
  });

  describe('GET /me (guarded route)', () => {
    it.each(ACCESS_TOKEN_CASES.map((c) => [c.name, c] as const))('%s → 401 JSON', async (_name, hostile) => {
      expectJson401(await send('get', '/me', hostile), hostile.expected);
    });
  });

  describe('GET /optional (sessionRequired: false) still refuses a bad token', () => {
    it.each(ACCESS_TOKEN_CASES.filter((c) => c.expected === 'try refresh token').map((c) => [c.name, c] as const))(
      '%s → 401 JSON',
      async (_name, hostile) => {
        expectJson401(await send('get', '/optional', hostile), hostile.expected);
      },
    );
  });

  describe('POST /auth/session/refresh', () => {
    it.each(REFRESH_TOKEN_CASES.map((c) => [c.name, c] as const))('%s → 401 JSON', async (_name, hostile) => {
      expectJson401(await send('post', '/auth/session/refresh', hostile), hostile.expected);
    });
  });

  it('none of it revoked or damaged the genuine session: its refresh token still rotates', async () => {
    expect(await app.get(SessionService).getSessionInformation(genuineHandle)).toMatchObject({ userId: 'target' });
    const refreshed = await request(server).post('/auth/session/refresh').set(bearer(material.refresh)).expect(200);
    expect(jwtPayload(headerTokens(refreshed).access).sessionHandle).toBe(genuineHandle);
  });

  it('on the stock Node server a 100 KB header is cut off by Node (431), never a 5xx', async () => {
    const res = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${'A'.repeat(HUGE)}`);
    expect(res.status).toBe(431);
  });
});
