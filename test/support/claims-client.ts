import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { cookieTokens, decodeFrontToken, jwtPayload } from './tokens';
import { refreshRequest, tokensInMode, type TransferMode, withAccessToken } from './transfer-mode';

export type { TransferMode };

/**
 * A stateful test client that behaves like SuperTokens' frontend SDK, for claim scenarios: it
 * signs in through `POST /login`, sends its access token on every request (Authorization header
 * or sAccessToken cookie), and keeps whatever new tokens a response carries (a claim refetch, a
 * `setClaimValue`, a refresh), so a scenario reads as one user's successive requests.
 */
export class SessionClient {
  access?: string;
  refresh?: string;
  front?: string;
  /** The session handle `POST /login` answered with. */
  handle?: string;

  constructor(
    private readonly app: INestApplication,
    readonly mode: TransferMode = 'header',
  ) {}

  /** `POST /login` with `st-auth-mode` set to the client's mode; keeps the tokens. */
  async login(body: Record<string, unknown> = {}): Promise<Response> {
    const res = await request(this.app.getHttpServer()).post('/login').set('st-auth-mode', this.mode).send(body);
    if (res.status !== 201) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.handle = res.body.sessionHandle;
    this.absorb(res);
    return res;
  }

  /** A GET with the current (or the given) access token; new tokens in the response are kept. */
  get(path: string, token = this.access): Promise<Response> {
    return this.send(request(this.app.getHttpServer()).get(path), token);
  }

  /** A POST with the current (or the given) access token; new tokens in the response are kept. */
  post(path: string, body: Record<string, unknown> = {}, token = this.access): Promise<Response> {
    return this.send(request(this.app.getHttpServer()).post(path).send(body), token);
  }

  /** `POST /auth/session/refresh` with the current refresh token; keeps the rotated tokens. */
  async refreshSession(): Promise<Response> {
    const res = await refreshRequest(this.app.getHttpServer(), this.mode, this.refresh ?? '');
    this.absorb(res);
    return res;
  }

  /** `POST /auth/signout` with the current access token. */
  signOut(): Promise<Response> {
    return this.send(request(this.app.getHttpServer()).post('/auth/signout'), this.access);
  }

  /** Payload of the access token the client holds now. */
  get payload(): Record<string, any> {
    if (!this.access) throw new Error('no access token');
    return jwtPayload(this.access);
  }

  /** The access token a response sent in the client's mode (undefined when it sent none). */
  newAccessTokenIn(res: Response): string | undefined {
    return tokensInMode(res, this.mode).access || undefined;
  }

  private async send(req: request.Test, token: string | undefined): Promise<Response> {
    const res = await (token === undefined ? req : withAccessToken(req, this.mode, token));
    this.absorb(res);
    return res;
  }

  private absorb(res: Response): void {
    const tokens = tokensInMode(res, this.mode);
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
