import { Inject, Injectable } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import type { TokenTransferMethod } from '../config/session-module-options';
import { SESSION_CONFIG } from '../session.constants';
import { readAccessTokenHeader } from '../tokens/access-token-header';
import { parseRefreshToken } from '../tokens/refresh-token';
import { readCookie, serialiseCookie } from './cookies';
import {
  exposeHeaders,
  requestHeader,
  setResponseCookie,
  setResponseHeader,
  type HttpExchange,
  type RequestLike,
  type ResponseLike,
} from './http-objects';
import { WIRE } from './token-names';

/** A token read from a request, with how it arrived. */
export interface TokenFromRequest {
  token: string;
  transferMethod: TokenTransferMethod;
}

/** Tokens to put in a response. */
export interface TokensToSend {
  accessToken: string;
  frontToken: string;
  /** Only at creation and refresh. */
  refreshToken?: string;
  refreshTokenExpiresAt?: number;
  antiCsrfToken?: string | null;
}

/** Every token of a new or refreshed session. */
export type SessionTokensToSend = Required<Omit<TokensToSend, 'antiCsrfToken'>> & Pick<TokensToSend, 'antiCsrfToken'>;

/** SuperTokens keeps the access-token cookie for a long time, so expired tokens still reach the server and get "try refresh token". */
const ACCESS_COOKIE_LIFETIME_MS = 100 * 365 * 24 * 60 * 60 * 1000;

/** Reads and writes session tokens in the SuperTokens wire format, for Express and Fastify alike. */
@Injectable()
export class TokenTransport {
  constructor(@Inject(SESSION_CONFIG) private readonly config: SessionConfig) {}

  /**
   * The access token of a request: `Authorization: Bearer` first, then the `sAccessToken` cookie.
   * A bearer that is not shaped like one of our access tokens (a gateway's or another API's
   * token) is ignored, as SuperTokens does, so it cannot shadow a cookie session.
   */
  readAccessToken(request: RequestLike): TokenFromRequest | undefined {
    return this.read(request, this.config.cookieNames.access, (token) => readAccessTokenHeader(token) !== undefined);
  }

  /** The refresh token of a request: `Authorization: Bearer` on the refresh route, or the `sRefreshToken` cookie. */
  readRefreshToken(request: RequestLike): TokenFromRequest | undefined {
    return this.read(request, this.config.cookieNames.refresh, (token) => parseRefreshToken(token) !== undefined);
  }

  /** Whether the request carried any session token (decides if a 401 clears tokens). */
  carriesTokens(request: RequestLike): boolean {
    return this.read(request, this.config.cookieNames.access, () => true) !== undefined || this.read(request, this.config.cookieNames.refresh, () => true) !== undefined;
  }

  /** Transfer method for a new session: the app's choice, else `st-auth-mode`, else header. */
  methodForNewSession(request: RequestLike | undefined): TokenTransferMethod {
    const chosen = request && this.config.getTokenTransferMethod?.({ request, forCreateNewSession: true });
    if (chosen === 'cookie' || chosen === 'header') return chosen;
    const mode = request ? requestHeader(request, WIRE.authMode)?.toLowerCase() : undefined;
    return mode === 'cookie' ? 'cookie' : 'header';
  }

  /** Writes tokens, the front-token and exposes the headers. */
  writeTokens(response: ResponseLike, method: TokenTransferMethod, tokens: TokensToSend): void {
    const exposed: string[] = [WIRE.frontToken];
    setResponseHeader(response, WIRE.frontToken, tokens.frontToken);
    if (method === 'cookie') {
      this.setCookie(response, this.config.cookieNames.access, tokens.accessToken, '/', Date.now() + ACCESS_COOKIE_LIFETIME_MS);
      if (tokens.refreshToken !== undefined) {
        this.setCookie(response, this.config.cookieNames.refresh, tokens.refreshToken, this.config.refreshPath, tokens.refreshTokenExpiresAt!);
      }
    } else {
      setResponseHeader(response, WIRE.accessHeader, tokens.accessToken);
      exposed.push(WIRE.accessHeader);
      if (tokens.refreshToken !== undefined) {
        setResponseHeader(response, WIRE.refreshHeader, tokens.refreshToken);
        exposed.push(WIRE.refreshHeader);
      }
    }
    if (tokens.antiCsrfToken) {
      setResponseHeader(response, WIRE.antiCsrf, tokens.antiCsrfToken);
      exposed.push(WIRE.antiCsrf);
    }
    exposeHeaders(response, exposed);
  }

  /**
   * A new or refreshed session's tokens, in one transfer method. Tokens of an older session in
   * the other method are cleared: they would shadow the new ones on the next request.
   */
  writeSessionTokens(exchange: Required<HttpExchange>, method: TokenTransferMethod, tokens: SessionTokensToSend): void {
    const stale = this.methodsCarried(exchange.request).filter((m) => m !== method);
    if (stale.length > 0) this.clearTokens(exchange.response, stale);
    this.writeTokens(exchange.response, method, tokens);
  }

  /** Clears tokens in the given transfer methods and sends `front-token: remove`. */
  clearTokens(response: ResponseLike, methods: TokenTransferMethod[]): void {
    const exposed: string[] = [WIRE.frontToken];
    setResponseHeader(response, WIRE.frontToken, 'remove');
    if (methods.includes('cookie')) {
      this.setCookie(response, this.config.cookieNames.access, '', '/', 0);
      this.setCookie(response, this.config.cookieNames.refresh, '', this.config.refreshPath, 0);
    }
    if (methods.includes('header')) {
      setResponseHeader(response, WIRE.accessHeader, '');
      setResponseHeader(response, WIRE.refreshHeader, '');
      exposed.push(WIRE.accessHeader, WIRE.refreshHeader);
    }
    exposeHeaders(response, exposed);
  }

  /** Methods whose tokens a request carried; used to clear exactly what the client holds. */
  methodsCarried(request: RequestLike): TokenTransferMethod[] {
    const methods: TokenTransferMethod[] = [];
    const cookies = request.headers.cookie;
    if (readCookie(cookies, this.config.cookieNames.access) !== undefined || readCookie(cookies, this.config.cookieNames.refresh) !== undefined) methods.push('cookie');
    if (bearer(request) !== undefined) methods.push('header');
    return methods;
  }

  private read(request: RequestLike, cookieName: string, isOurs: (bearerToken: string) => boolean): TokenFromRequest | undefined {
    const allowed = this.config.getTokenTransferMethod?.({ request, forCreateNewSession: false }) ?? 'any';
    if (allowed !== 'cookie') {
      const token = bearer(request);
      // With no cookie to fall back to, even a foreign bearer is answered (401 try refresh token).
      if (token !== undefined && (readCookie(request.headers.cookie, cookieName) === undefined || isOurs(token))) {
        return { token, transferMethod: 'header' };
      }
    }
    if (allowed !== 'header') {
      const token = readCookie(request.headers.cookie, cookieName);
      if (token) return { token, transferMethod: 'cookie' };
    }
    return undefined;
  }

  private setCookie(response: ResponseLike, name: string, value: string, path: string, expires: number): void {
    const cookie = serialiseCookie(name, value, {
      path,
      expires,
      httpOnly: true,
      secure: this.config.cookieSecure,
      sameSite: this.config.cookieSameSite,
      domain: this.config.cookieDomain,
    });
    setResponseCookie(response, name, path, cookie);
  }
}

function bearer(request: RequestLike): string | undefined {
  const header = requestHeader(request, 'authorization');
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1].trim() : undefined;
}
