import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { type JSONObject, SessionService, SessionWriteRefusedError } from '../../../src';
import { hardeningApp } from '../../fixtures/hardening.app';
import { testDatabaseKind } from '../../support/database';
import { createTestApp } from '../../support/platforms';
import { jwtPayload } from '../../support/tokens';

/**
 * Issue 9 fuzz suite: property-based tests (fast-check, seeded; the seed is printed and
 * `FUZZ_SEED=<n>` replays a run) of everything a client controls — `Cookie`, `Authorization`,
 * `anti-csrf`, `rid`, `st-auth-mode`, `front-token`-shaped headers, refresh and sign-out
 * requests, and payload / session-data values (strings with lone surrogates and NULs, deep and
 * wide objects, huge numbers, prototype keys) — on every built-in and guarded route, plus the
 * programmatic offline writes. The app is driven in-process (Fastify `inject`, no sockets).
 *
 * Over all cases: no 5xx; no forgery accepted (a 2xx on a guarded route only for a token whose
 * signed part the server issued, a 200 refresh only for a refresh token it issued, an unsafe
 * cookie request only with the session's anti-CSRF token); and a refused write changes no row.
 * At least 10,000 cases on SQLite (`FUZZ_SCALE` scales them; PostgreSQL/MariaDB run a tenth).
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const SCALE = Number(process.env.FUZZ_SCALE ?? (testDatabaseKind() === 'sqlite' ? 1 : 0.1));
const runs = (n: number) => Math.max(10, Math.round(n * SCALE));

const GUARDED: { method: 'GET' | 'POST' | 'PUT'; url: string }[] = [
  { method: 'GET', url: '/me' },
  { method: 'GET', url: '/strict' },
  { method: 'GET', url: '/data' },
  { method: 'POST', url: '/merge' },
  { method: 'PUT', url: '/payload' },
  { method: 'POST', url: '/claim' },
  { method: 'PUT', url: '/data' },
  { method: 'POST', url: '/auth/signout' },
];
const UNGUARDED = ['/auth/jwt/jwks.json', '/auth/.well-known/openid-configuration', '/.well-known/jwks.json', '/nowhere'];

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Per property: thousands of in-process requests; generous for a loaded 2-core machine. */
const PROPERTY_TIMEOUT_MS = 240_000;

describe(`fuzz (${testDatabaseKind()}, seed ${SEED})`, () => {
  let app: INestApplication;
  let fastify: FastifyInstance;
  let sessions: SessionService;
  /** The signed part (`header.payload`) of every access token the server issued, and every refresh token. */
  const issuedAccess = new Set<string>();
  const issuedRefresh = new Set<string>();
  const stats = { cases: 0, fiveXx: 0, accepted: 0 };
  const failures: string[] = [];

  const signedPart = (token: string) => token.split('.').slice(0, 2).join('.');

  /** One request in-process; every token the response issues is remembered as genuine. */
  async function send(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
    const res = await fastify.inject({
      method: method as 'GET',
      url,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    const reply: Reply = { status: res.statusCode, headers: res.headers as Reply['headers'], body: res.body };
    const access = reply.headers['st-access-token'];
    if (typeof access === 'string' && access) issuedAccess.add(signedPart(access));
    const refresh = reply.headers['st-refresh-token'];
    if (typeof refresh === 'string' && refresh) issuedRefresh.add(refresh);
    for (const line of [reply.headers['set-cookie'] ?? []].flat()) {
      const match = /^(sAccessToken|sRefreshToken)=([^;]+)/.exec(line);
      if (!match) continue;
      const value = decodeURIComponent(match[2]);
      if (match[1] === 'sAccessToken') issuedAccess.add(signedPart(value));
      else issuedRefresh.add(value);
    }
    stats.cases++;
    if (reply.status >= 500) {
      stats.fiveXx++;
      failures.push(`${method} ${url} → ${reply.status} ${reply.body.slice(0, 200)}`);
    }
    return reply;
  }

  function forgery(description: string): void {
    stats.accepted++;
    failures.push(`accepted: ${description}`);
  }

  /** A genuine session: its tokens and anti-CSRF token. */
  interface Genuine {
    mode: 'cookie' | 'header';
    access: string;
    refresh: string;
    antiCsrf?: string;
    handle: string;
  }

  async function signIn(mode: 'cookie' | 'header', userId = `fuzz-${mode}`): Promise<Genuine> {
    const res = await send('POST', '/login', { 'st-auth-mode': mode }, { userId, payload: { plan: 'basic' }, data: { secret: 'd' } });
    if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${res.body}`);
    const cookies = [res.headers['set-cookie'] ?? []].flat();
    const cookie = (name: string) => decodeURIComponent(cookies.find((c) => c.startsWith(`${name}=`))!.split(';')[0].slice(name.length + 1));
    const access = mode === 'cookie' ? cookie('sAccessToken') : (res.headers['st-access-token'] as string);
    const refresh = mode === 'cookie' ? cookie('sRefreshToken') : (res.headers['st-refresh-token'] as string);
    return { mode, access, refresh, antiCsrf: res.headers['anti-csrf'] as string | undefined, handle: JSON.parse(res.body).sessionHandle };
  }

  beforeAll(async () => {
    // VIA_TOKEN: cookie sessions carry an anti-CSRF token the fuzz must not get around.
    app = await createTestApp('fastify', hardeningApp({ antiCsrf: 'VIA_TOKEN' }));
    fastify = app.getHttpAdapter().getInstance();
    sessions = app.get(SessionService);
  });
  afterAll(async () => {
    await app.close();
    process.stdout.write(`fuzz: ${stats.cases} cases, seed ${SEED}, ${stats.fiveXx} 5xx, ${stats.accepted} accepted (${testDatabaseKind()})\n`);
  });
  afterEach(() => {
    const found = failures.splice(0);
    expect(found.slice(0, 5)).toEqual([]);
  });

  // ---- arbitraries -------------------------------------------------------------------------

  const b64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 60 });
  const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const decodeSegment = (segment: string) => {
    try {
      return JSON.parse(Buffer.from(segment, 'base64url').toString());
    } catch {
      return {};
    }
  };
  type Mutation = (genuine: string) => string;
  /** Ways to derive a token from a genuine one: every way to tamper with a compact JWS, and plain junk. */
  const tokenMutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constant<Mutation>((t) => t),
    fc.tuple(fc.nat(), fc.constantFrom(...'AQgw-_')).map(([i, c]): Mutation => (t) => {
      const at = i % t.length;
      return t.slice(0, at) + (t[at] === c ? (c === 'A' ? 'B' : 'A') : c) + t.slice(at + 1);
    }),
    fc.nat().map((n): Mutation => (t) => t.slice(0, n % t.length)),
    b64url.map((extra): Mutation => (t) => `${t}${extra}`),
    fc.record({ sub: fc.constantFrom('admin', 'other'), exp: fc.integer({ min: 0, max: 2 ** 31 }) }).map((patch): Mutation => (t) => {
      const [h, p, sig] = t.split('.');
      return [h, b64json({ ...decodeSegment(p), ...patch }), sig].join('.');
    }),
    fc.constantFrom('none', 'HS256', 'RS512', 'ES256').map((alg): Mutation => (t) => {
      const [h, p, sig] = t.split('.');
      return [b64json({ ...decodeSegment(h), alg }), p, alg === 'none' ? '' : sig].join('.');
    }),
    fc.tuple(b64url, b64url, b64url).map((parts): Mutation => () => parts.join('.')),
    fc.string({ unit: 'binary', maxLength: 80 }).map((junk): Mutation => () => junk),
    fc.constantFrom('', ' ', '.', '..', 'null', '%00', '\u0000', 'a'.repeat(20000)).map((junk): Mutation => () => junk),
  );
  const headerText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary-ascii', maxLength: 40 }), fc.constantFrom('', 'cookie', 'header', 'anti-csrf', 'remove'));
  type HeaderMaker = (g: Genuine) => string;
  const fixed = (arb: fc.Arbitrary<string>) => arb.map((text): HeaderMaker => () => text);

  /** Random request headers around a genuine session's tokens (made once the session is picked). */
  const requestHeaders = fc
    .record(
      {
        authorization: fc.oneof(
          tokenMutation.map((m): HeaderMaker => (g) => `Bearer ${m(g.access)}`),
          tokenMutation.map((m): HeaderMaker => (g) => `bearer  ${m(g.access)} `),
          fixed(headerText),
        ),
        cookie: fc.oneof(
          tokenMutation.map((m): HeaderMaker => (g) => `sAccessToken=${m(g.access)}`),
          tokenMutation.map((m): HeaderMaker => (g) => `sAccessToken=${m(g.access)}; sAccessToken=junk; sRefreshToken=${g.refresh}`),
          tokenMutation.map((m): HeaderMaker => (g) => `sAccessToken="${encodeURIComponent(m(g.access))}"`),
          fixed(headerText),
        ),
        'anti-csrf': fc.oneof(fc.constant<HeaderMaker>((g) => g.antiCsrf ?? ''), fixed(headerText)),
        rid: fixed(fc.oneof(fc.constantFrom('anti-csrf', 'session', ''), headerText)),
        'st-auth-mode': fixed(fc.oneof(fc.constantFrom('cookie', 'header', 'COOKIE'), headerText)),
        'front-token': fixed(fc.oneof(b64url, fc.constant('remove'), headerText)),
      },
      { requiredKeys: [] },
    )
    .map((makers) => (g: Genuine) => {
      const headers: Record<string, string> = {};
      for (const [name, make] of Object.entries(makers)) {
        const value = make!(g);
        if (isHeaderSafe(value)) headers[name] = value;
      }
      return headers;
    });

  const key = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'sub', 'exp', 'nbf', 'a.b', '$', 'k\u0000'),
  );
  /** JSON values clients can send: strings with lone surrogates and NULs, deep and wide values, huge numbers, prototype keys. */
  const nasty = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('\u0000', 'a\uD800', '\uDFFF', '😀', '\uD83D\uDE00\uD800', ''),
      fc.double(),
      fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, 5e-324, 0, -0),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const deepValue = fc.integer({ min: 15, max: 40 }).map((depth) => {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { n: v };
    return v;
  });
  const wideValue = fc.integer({ min: 50, max: 400 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'.repeat(i % 20)])));
  const payloadValue: fc.Arbitrary<JSONObject> = fc
    .oneof(fc.dictionary(key, fc.oneof(nasty, deepValue, wideValue), { maxKeys: 5 }), fc.record({ big: fc.nat(6000).map((n) => 'x'.repeat(n)) }))
    .map((v) => v as JSONObject);

  // ---- properties --------------------------------------------------------------------------

  it('tokens and headers on every guarded and built-in route: no 5xx, no forged token or missing anti-CSRF token accepted', async () => {
    const pool = [await signIn('cookie'), await signIn('header')];
    await fc.assert(
      fc.asyncProperty(fc.nat(pool.length - 1), fc.constantFrom(...GUARDED), requestHeaders, async (which, route, makeHeaders) => {
        const current = pool[which];
        const headers = makeHeaders(current);
        const res = await send(route.method, route.url, headers, route.method === 'GET' ? undefined : { update: { n: 1 }, payload: { n: 1 }, value: 'v', data: { n: 1 } });
        if (res.status >= 200 && res.status < 300) {
          if (route.url === '/auth/signout') {
            // Sign-out without a session answers 200 (as SuperTokens); it must not have revoked one.
            for (const [i, g] of pool.entries()) {
              if (await sessions.getSessionInformation(g.handle)) continue;
              checkAccepted(route.method, route.url, headers);
              pool[i] = await signIn(g.mode);
            }
          } else checkAccepted(route.method, route.url, headers);
        }
      }),
      { seed: SEED, numRuns: runs(5500), endOnFailure: true },
    );
    for (const url of UNGUARDED) {
      await fc.assert(
        fc.asyncProperty(requestHeaders, async (makeHeaders) => {
          await send('GET', url, makeHeaders(pool[0]));
        }),
        { seed: SEED, numRuns: runs(100) },
      );
    }
  }, PROPERTY_TIMEOUT_MS);

  /** A 2xx on a guarded route: the token used must be one the server issued, and anti-CSRF must hold for cookies. */
  function checkAccepted(method: string, url: string, headers: Record<string, string>): void {
    const bearer = /^Bearer\s+(.+)$/i.exec((headers.authorization ?? '').trim())?.[1]?.trim();
    const cookie = /(?:^|;\s*)sAccessToken=("?)([^;"]*)\1/.exec(headers.cookie ?? '')?.[2];
    const candidates = [bearer, cookie && decodeURIComponentSafe(cookie)].filter((t): t is string => !!t);
    const genuine = candidates.filter((t) => issuedAccess.has(signedPart(t)));
    if (genuine.length === 0) return forgery(`${method} ${url} with ${JSON.stringify(headers).slice(0, 300)}`);
    const usedCookie = !bearer || !issuedAccess.has(signedPart(bearer));
    if (usedCookie && method !== 'GET' && cookie) {
      const expected = jwtPayload(decodeURIComponentSafe(cookie)).antiCsrfToken;
      if (expected && headers['anti-csrf'] !== expected) forgery(`${method} ${url} via cookie without its anti-CSRF token`);
    }
  }

  it('refresh requests: no 5xx, and only refresh tokens the server issued refresh', async () => {
    const pool = [await signIn('cookie', 'fuzz-refresh-c'), await signIn('header', 'fuzz-refresh-h')];
    const refreshMutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.constant<Mutation>((t) => t),
      fc.tuple(fc.nat(), fc.constantFrom(...'AQgw-_.0')).map(([i, c]): Mutation => (t) => {
        const at = i % t.length;
        return t.slice(0, at) + (t[at] === c ? 'Z' : c) + t.slice(at + 1);
      }),
      fc.integer({ min: -2, max: 5 }).map((d): Mutation => (t) => {
        const [handle, generation, secret] = t.split('.');
        return [handle, String(Number(generation) + d), secret].join('.');
      }),
      fc.uuid().map((u): Mutation => (t) => t.replace(/^[^.]+/, u)),
      fc.string({ unit: 'binary', maxLength: 120 }).map((junk): Mutation => () => junk),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(pool.length - 1), refreshMutation, fc.boolean(), fc.boolean(), fc.option(headerText), async (which, mutate, asCookie, antiCsrf, rid) => {
        const g = pool[which];
        const token = mutate(g.refresh);
        const headers: Record<string, string> = asCookie ? { cookie: `sRefreshToken=${token}` } : { authorization: `Bearer ${token}` };
        if (antiCsrf && g.antiCsrf) headers['anti-csrf'] = g.antiCsrf;
        if (rid !== null && isHeaderSafe(rid)) headers.rid = rid;
        if (!isHeaderSafe(headers.cookie ?? headers.authorization)) return;
        const res = await send('POST', '/auth/session/refresh', headers);
        if (res.status === 200 && !issuedRefresh.has(token)) forgery(`refresh with ${token.slice(0, 80)}`);
        if (res.status === 200) {
          const cookies = [res.headers['set-cookie'] ?? []].flat();
          const next = (res.headers['st-refresh-token'] as string) || cookies.find((c) => c.startsWith('sRefreshToken='))?.split(';')[0].slice(14);
          if (next) pool[which] = { ...g, refresh: decodeURIComponent(next) };
        }
        if (res.status === 401 && JSON.parse(res.body).message === 'token theft detected') pool[which] = await signIn(g.mode, `fuzz-refresh-${which}`);
      }),
      { seed: SEED, numRuns: runs(1500), endOnFailure: true },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('payload and session-data writes over HTTP: no 5xx, and a refused write changes no stored row', async () => {
    let g = await signIn('header', 'fuzz-writer');
    const writes = [
      (v: JSONObject) => ({ method: 'POST', url: '/merge', body: { update: v } }),
      (v: JSONObject) => ({ method: 'PUT', url: '/payload', body: { payload: v } }),
      (v: JSONObject) => ({ method: 'PUT', url: '/data', body: { data: v } }),
      (v: JSONObject) => ({ method: 'POST', url: '/claim', body: { value: Object.values(v)[0] ?? null } }),
      (v: JSONObject) => ({ method: 'POST', url: '/login', body: { userId: 'fuzz-login', payload: v, data: v } }),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(writes.length - 1), payloadValue, async (which, value) => {
        const before = await sessions.getSessionInformation(g.handle);
        const write = writes[which](value);
        const res = await send(write.method, write.url, { authorization: `Bearer ${g.access}`, 'st-auth-mode': 'header' }, write.body);
        if (res.status >= 400 && res.status < 500) {
          expect(await sessions.getSessionInformation(g.handle)).toEqual(before);
        }
        const access = res.headers['st-access-token'];
        if (write.url !== '/login' && typeof access === 'string' && access) g = { ...g, access };
        if (stats.cases % 50 === 0) {
          const strict = await send('GET', '/strict', { authorization: `Bearer ${g.access}` });
          if (strict.status !== 200) failures.push(`session unhealthy after writes: ${strict.status} ${strict.body}`);
        }
      }),
      { seed: SEED, numRuns: runs(2500), endOnFailure: true },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('offline writes through the API (values JSON cannot carry too): typed refusal or success, a refusal changes nothing', async () => {
    const handle = (await signIn('header', 'fuzz-offline')).handle;
    const apiValue = fc.oneof(payloadValue, fc.dictionary(key, fc.constantFrom(NaN, Infinity, -Infinity, undefined, 1), { maxKeys: 3 }) as fc.Arbitrary<JSONObject>);
    const writes = [
      (v: JSONObject) => sessions.mergeIntoAccessTokenPayload(handle, v),
      (v: JSONObject) => sessions.mergeIntoAccessTokenPayloadForUser('fuzz-offline', v),
      (v: JSONObject) => sessions.updateSessionDataInDatabase(handle, v),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(writes.length - 1), apiValue, async (which, value) => {
        const before = await sessions.getSessionInformation(handle);
        stats.cases++;
        try {
          await writes[which](value);
        } catch (error) {
          if (!(error instanceof SessionWriteRefusedError)) {
            stats.fiveXx++;
            failures.push(`offline write threw ${(error as Error)?.name}: ${(error as Error)?.message?.slice(0, 200)}`);
            return;
          }
          expect(await sessions.getSessionInformation(handle)).toEqual(before);
        }
      }),
      { seed: SEED, numRuns: runs(1200), endOnFailure: true },
    );
    expect((await sessions.refreshSessionWithoutRequestResponse((await signIn('header', 'fuzz-offline')).refresh)).getUserId()).toBe('fuzz-offline');
  }, PROPERTY_TIMEOUT_MS);
});

/** Header values Node's HTTP layer accepts at all (it refuses CR/LF and most control characters before the app sees them). */
function isHeaderSafe(value: string | undefined): value is string {
  return typeof value === 'string' && /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
