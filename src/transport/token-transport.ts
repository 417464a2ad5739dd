import { Inject, Injectable } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import type { TokenTransferMethod } from '../config/session-module-options';
import { SESSION_CONFIG } from '../session.constants';
import { readAccessTokenHeader } from '../tokens/access-token-header';
import { parseRefreshToken } from '../tokens/refresh-token';
import { hasDuplicateCookie, readCookie, serialiseCookie } from './cookies';
import {
  exposeHeaders,
  removeResponseHeader,
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

/** Both transfer methods: what an unauthorised or theft answer clears (supertokens-node's `clearSessionFromAllTokenTransferMethods`). */
export const EVERY_TRANSFER_METHOD: readonly TokenTransferMethod[] = ['cookie', 'header'];

/** The session cookies, as named on the wire. */
/** A session cookie's name as this app writes it (`config.cookieNames`: prefixed with `cookieHostPrefix`). */
export type SessionCookieName = string;

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
    return this.read(request, this.config.cookieNames.access, isOurAccessToken, true);
  }

  /**
   * {@link readAccessToken} without the line-break scan of an exact `Bearer <token>` header (four
   * `indexOf` over the ~1 KB header on every request), for `SessionVerifier` alone. A `header`
   * token may then hold a line break, where {@link readAccessToken} would have read no bearer at
   * all. Such a token never verifies: every token verification accepts has the access-token
   * shape (base64url segments and dots, checked by `readAccessTokenHeader` before a token is
   * verified or cached, and a cache hit is the exact same string), so the caller re-reads with
   * {@link readAccessToken} when verification refuses a `header` token that {@link hasLineBreak}.
   */
  readAccessTokenUnscanned(request: RequestLike): TokenFromRequest | undefined {
    return this.read(request, this.config.cookieNames.access, isOurAccessToken, false);
  }

  /** The refresh token of a request: `Authorization: Bearer` on the refresh route, or the `sRefreshToken` cookie. */
  readRefreshToken(request: RequestLike): TokenFromRequest | undefined {
    return this.read(request, this.config.cookieNames.refresh, isOurRefreshToken, true);
  }

  /**
   * Session cookies the request holds twice (an older cookie on a parent domain beside the
   * current one). Not checked when the app allows header mode only: cookies are ignored then.
   */
  duplicatedCookies(request: RequestLike): SessionCookieName[] {
    if (this.config.getTokenTransferMethod?.({ request, forCreateNewSession: false }) === 'header') return [];
    const names: SessionCookieName[] = [this.config.cookieNames.access, this.config.cookieNames.refresh];
    return names.filter((name) => hasDuplicateCookie(request.headers.cookie, name));
  }

  /** Whether `sAccessToken` appears twice in the request's cookies (checked on every cookie-mode request: a substring scan). */
  hasDuplicateAccessCookie(request: RequestLike): boolean {
    return hasDuplicateCookie(request.headers.cookie, this.config.cookieNames.access);
  }

  /** Expires cookies of `olderCookieDomain` (same names and paths as ours), leaving the current domain's alone. */
  clearOlderDomainCookies(response: ResponseLike, names: SessionCookieName[], olderDomain: string): void {
    for (const name of names) {
      this.setCookie(response, name, '', name === this.config.cookieNames.refresh ? this.config.refreshPath : '/', 0, olderDomain);
    }
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
      this.setCookie(response, this.config.cookieNames.access, tokens.accessToken, '/', this.config.clock.now() + ACCESS_COOKIE_LIFETIME_MS);
      if (tokens.refreshToken !== undefined) {
        this.setCookie(response, this.config.cookieNames.refresh, tokens.refreshToken, this.config.refreshPath, tokens.refreshTokenExpiresAt!);
      }
      // The app asked for the access token to be readable by the frontend (never the refresh token).
      if (this.config.exposeAccessTokenToFrontendInCookieBasedAuth) {
        setResponseHeader(response, WIRE.accessHeader, tokens.accessToken);
        exposed.push(WIRE.accessHeader);
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

  /**
   * Clears tokens in the given transfer methods and sends `front-token: remove`. Written over
   * whatever this response already set (a session created, then refused, in one request), and
   * the anti-CSRF token of such a session goes too.
   */
  clearTokens(response: ResponseLike, methods: readonly TokenTransferMethod[]): void {
    const exposed: string[] = [WIRE.frontToken];
    setResponseHeader(response, WIRE.frontToken, 'remove');
    removeResponseHeader(response, WIRE.antiCsrf);
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

  private read(request: RequestLike, cookieName: string, isOurs: (bearerToken: string) => boolean, scanLineBreaks: boolean): TokenFromRequest | undefined {
    const allowed = this.config.getTokenTransferMethod?.({ request, forCreateNewSession: false }) ?? 'any';
    if (allowed !== 'cookie') {
      const token = bearer(request, scanLineBreaks);
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

  private setCookie(response: ResponseLike, name: string, value: string, path: string, expires: number, domain = this.config.cookieDomain): void {
    const cookie = serialiseCookie(name, value, {
      path,
      expires,
      httpOnly: true,
      secure: this.config.cookieSecure,
      sameSite: this.config.cookieSameSite,
      domain,
    });
    setResponseCookie(response, name, path, domain, cookie);
  }
}

function isOurAccessToken(token: string): boolean {
  return readAccessTokenHeader(token) !== undefined;
}

function isOurRefreshToken(token: string): boolean {
  return parseRefreshToken(token) !== undefined;
}

const BEARER = /^Bearer\s+(.+)$/i;

/**
 * The token of `Authorization: Bearer <token>` (scheme case-insensitive, surrounding whitespace
 * ignored). The common exact form `Bearer <token>` is read without running the regex over the
 * whole ~1 KB header; anything else takes the regex, with the same result. Without
 * `scanLineBreaks` the exact form is not scanned for line breaks (see
 * {@link TokenTransport.readAccessTokenUnscanned}).
 */
function bearer(request: RequestLike, scanLineBreaks = true): string | undefined {
  const header = requestHeader(request, 'authorization');
  if (header === undefined) return undefined;
  if (
    header.length > 7 &&
    header.startsWith('Bearer ') &&
    !isSpace(header.charCodeAt(7)) &&
    !isSpace(header.charCodeAt(header.length - 1)) &&
    (!scanLineBreaks || !hasLineBreak(header))
  ) {
    return header.slice(7);
  }
  const match = BEARER.exec(header.trim());
  return match ? match[1].trim() : undefined;
}

/**
 * A character {@link BEARER}'s `.` refuses (a line terminator). `indexOf` is a vectorised
 * search: ~10× cheaper than a regex character class over a ~1 KB header.
 */
export function hasLineBreak(text: string): boolean {
  return text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1 || text.indexOf('\u2028') !== -1 || text.indexOf('\u2029') !== -1;
}

/** Whether a UTF-16 code unit is whitespace to `String.prototype.trim` and `\s` (the same set). */
function isSpace(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
