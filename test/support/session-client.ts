import type { INestApplication } from '@nestjs/common';
import request, { type Response, type Test } from 'supertest';
import { cookieTokens, decodeFrontToken, headerTokens, jwtPayload, setCookie } from './tokens';

/** How a client carries its tokens. */
export type TransferMode = 'header' | 'cookie';
/** Both transfer modes, for `describe.each`. */
export const TRANSFER_MODES: TransferMode[] = ['header', 'cookie'];

/** Tokens a response sent in one transfer method (`undefined` for what it did not send). */
export interface SentTokens {
  access?: string;
  refresh?: string;
  /** The raw `front-token` header. */
  front?: string;
}

/** What signing in gave. */
export interface SignedIn extends Required<Omit<SentTokens, 'front'>> {
  res: Response;
  /** The session handle the sign-in route answered with (`sessionHandle` in its body). */
  handle: string;
  front: string;
  /** The `anti-csrf` response header (cookie sessions under `VIA_TOKEN`). */
  antiCsrf?: string;
}

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

/**
 * The one test client: a browser (cookie mode) or an app (header mode) the way SuperTokens'
 * frontend SDKs behave. It signs in with `st-auth-mode`, sends its access token the way its mode
 * does (or a token given per call), sends `anti-csrf` when it holds one, and keeps every new token
 * a response carries (a claim refetch, a merge, a refresh), so a scenario reads as one user's
 * successive requests. Works against an app (supertest) or a URL (another process).
 */
export class SessionClient {
  access?: string;
  refresh?: string;
  front?: string;
  antiCsrf?: string;
  handle?: string;
  /** Headers sent with every request of this client (e.g. its `User-Agent` and `X-Forwarded-For`). */
  headers: Record<string, string> = {};

  constructor(
    private readonly target: INestApplication | string,
    readonly mode: TransferMode = 'header',
  ) {}

  /** `POST path` (default `/login`) with `st-auth-mode`; expects `status` (default 201) and keeps the tokens. */
  async login(body: object = {}, options: { path?: string; status?: number } = {}): Promise<SignedIn> {
    const res = await this.http().post(options.path ?? '/login').set(this.headers).set('st-auth-mode', this.mode).send(body);
    if (res.status !== (options.status ?? 201)) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.antiCsrf = res.headers['anti-csrf'];
    this.absorb(res);
    const tokens = this.tokensOf(res);
    this.handle = res.body?.sessionHandle ?? (tokens.access ? jwtPayload(tokens.access).sessionHandle : undefined);
    return { res, handle: this.handle!, access: tokens.access!, refresh: tokens.refresh!, front: tokens.front!, antiCsrf: this.antiCsrf };
  }

  /** A GET with the held (or the given) access token; new tokens in the response are kept. Chain `.expect(...)` as with supertest. */
  get(path: string, token = this.access): Test {
    return this.send(this.http().get(path), token);
  }

  /** A POST with the held (or the given) access token. */
  post(path: string, body?: object, token = this.access): Test {
    return this.send(this.http().post(path), token).send(body ?? {});
  }

  /** A PUT with the held (or the given) access token. */
  put(path: string, body?: object, token = this.access): Test {
    return this.send(this.http().put(path), token).send(body ?? {});
  }

  /** A DELETE with the held (or the given) access token. */
  delete(path: string, token = this.access): Test {
    return this.send(this.http().delete(path), token);
  }

  /** `POST /auth/session/refresh` with the held (or the given) refresh token; keeps the rotated tokens. */
  refreshSession(refreshToken = this.refresh ?? ''): Test {
    const req = this.http().post('/auth/session/refresh');
    const withToken = this.mode === 'cookie' ? req.set('Cookie', `sRefreshToken=${refreshToken}`) : req.set('Authorization', `Bearer ${refreshToken}`);
    return this.send(withToken, undefined);
  }

  /** `POST /auth/signout` with the held access token. */
  signOut(token = this.access): Test {
    return this.post('/auth/signout', undefined, token);
  }

  /** The tokens a response sent in this client's mode. */
  tokensOf(res: Response): SentTokens {
    const t = this.mode === 'cookie' ? cookieTokens(res) : headerTokens(res);
    return { access: t.access || undefined, refresh: t.refresh || undefined, front: t.front || undefined };
  }

  /** The access token a response sent in this client's mode (undefined when it sent none). */
  newAccessTokenIn(res: Response): string | undefined {
    return this.tokensOf(res).access;
  }

  /** Payload of the access token the client holds now (decoded, not verified). */
  get payload(): Record<string, any> {
    if (!this.access) throw new Error('no access token');
    return jwtPayload(this.access);
  }

  /** Asserts the response told this client to drop its tokens (in its mode) and sent `front-token: remove`. */
  expectTokensCleared(res: Response): void {
    expect(res.headers['front-token']).toEqual('remove');
    if (this.mode === 'cookie') {
      expect(setCookie(res, 'sAccessToken')).toEqual({ name: 'sAccessToken', value: '', attributes: expect.objectContaining({ path: '/', expires: EPOCH }) });
      expect(setCookie(res, 'sRefreshToken')).toEqual({
        name: 'sRefreshToken',
        value: '',
        attributes: expect.objectContaining({ path: '/auth/session/refresh', expires: EPOCH }),
      });
    } else {
      expect(res.headers['st-access-token']).toEqual('');
      expect(res.headers['st-refresh-token']).toEqual('');
    }
  }

  private http() {
    return request(typeof this.target === 'string' ? this.target : this.target.getHttpServer());
  }

  /** Adds the access token (and `anti-csrf` when held); every response's new tokens are kept, awaited or chained. */
  private send(req: Test, token: string | undefined): Test {
    let sending = req.set(this.headers);
    if (token !== undefined) sending = this.mode === 'cookie' ? sending.set('Cookie', `sAccessToken=${token}`) : sending.set('Authorization', `Bearer ${token}`);
    if (this.antiCsrf) sending = sending.set('anti-csrf', this.antiCsrf);
    sending.on('response', (res: Response) => this.absorb(res));
    return sending;
  }

  private absorb(res: Response): void {
    const tokens = this.tokensOf(res);
    if (tokens.access) this.access = tokens.access;
    if (tokens.refresh) this.refresh = tokens.refresh;
    if (tokens.front && tokens.front !== 'remove') this.front = tokens.front;
  }
}

/**
 * Asserts a response carries a re-issued access token in the client's transfer method (and only
 * there) with a matching front-token, and returns that token's payload.
 */
export function expectNewAccessToken(client: SessionClient, res: Response): Record<string, any> {
  const token = client.newAccessTokenIn(res);
  expect(token).toEqual(expect.any(String));
  if (client.mode === 'cookie') expect(res.headers['st-access-token']).toBeUndefined();
  else expect(cookieTokens(res).access).toBeUndefined();
  const payload = jwtPayload(token!);
  expect(decodeFrontToken(res.headers['front-token'])).toEqual({ uid: payload.sub, ate: payload.exp * 1000, up: payload });
  return payload;
}

/** Asserts a response carries no access token and no front-token. */
export function expectNoNewAccessToken(res: Response): void {
  expect(res.headers['st-access-token']).toBeUndefined();
  expect(cookieTokens(res).access).toBeUndefined();
  expect(res.headers['front-token']).toBeUndefined();
}

/** The custom part of a decoded access-token payload (what the application put there). */
export function customClaims(payload: Record<string, any>): Record<string, any> {
  const tokenOnly = new Set(['sub', 'iat', 'exp', 'sessionHandle', 'refreshTokenHash1', 'parentRefreshTokenHash1', 'antiCsrfToken', 'tId', 'rsub', 'iss']);
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !tokenOnly.has(key)));
}

/** Custom claims of an access token (decoded, not verified). */
export function customClaimsOfToken(accessToken: string): Record<string, any> {
  return customClaims(jwtPayload(accessToken));
}

/** Custom claims the `front-token` header shows the frontend. */
export function customClaimsOfFrontToken(frontToken: string): Record<string, any> {
  return customClaims(decodeFrontToken(frontToken).up);
}
