import { randomBytes } from 'node:crypto';
import type { AntiCsrfMode, TokenTransferMethod } from '../config/session-module-options';
import { secretsEqual } from '../tokens/secrets';
import { requestHeader, requestMethod, type RequestLike } from './http-objects';
import { WIRE } from './token-names';

/**
 * Every anti-CSRF rule of the module. Cookies ride along with cross-site requests, headers do
 * not, so the rules apply to cookie-mode requests only:
 * - `VIA_TOKEN`: a cookie session gets a random token at creation (sent in the `anti-csrf`
 *   response header, kept in the access token and the database); unsafe requests and refreshes
 *   must echo it in the `anti-csrf` request header.
 * - `VIA_CUSTOM_HEADER`: unsafe requests and refreshes must carry a `rid` header (a cross-site
 *   form cannot set one without a CORS preflight).
 * - `NONE`: nothing (SameSite cookies protect).
 */

/** Outcome of the anti-CSRF check of a verified access token, mapped to SuperTokens' errors by the caller. */
export type AntiCsrfOutcome = 'ok' | 'missing-custom-header' | 'token-mismatch';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a new session gets an anti-CSRF token: cookie sessions under `VIA_TOKEN`. */
export function needsAntiCsrfToken(mode: AntiCsrfMode, transferMethod: TokenTransferMethod): boolean {
  return transferMethod === 'cookie' && mode === 'VIA_TOKEN';
}

/** A new anti-CSRF token (192 bits, base64url). */
export function newAntiCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * A request's access token: enforced on unsafe methods by default; `antiCsrfCheck` (the route's
 * option) forces it on or off.
 */
export function checkAntiCsrf(input: {
  mode: AntiCsrfMode;
  request: RequestLike;
  transferMethod: TokenTransferMethod;
  expectedToken: string | null;
  antiCsrfCheck?: boolean;
}): AntiCsrfOutcome {
  if (input.transferMethod === 'header' || input.mode === 'NONE') return 'ok';
  const enforce = input.antiCsrfCheck ?? !SAFE_METHODS.has(requestMethod(input.request));
  if (!enforce) return 'ok';
  if (input.mode === 'VIA_CUSTOM_HEADER') {
    return requestHeader(input.request, WIRE.rid) === undefined ? 'missing-custom-header' : 'ok';
  }
  return tokenEchoed(requestHeader(input.request, WIRE.antiCsrf), input.expectedToken) ? 'ok' : 'token-mismatch';
}

/**
 * An access token given directly (`getSessionWithoutRequestResponse`): as SuperTokens, checked
 * unless turned off, for sessions that have an anti-CSRF token (cookie sessions under `VIA_TOKEN`).
 */
export function directAntiCsrfOk(mode: AntiCsrfMode, expectedToken: string | null | undefined, sent: string | undefined, antiCsrfCheck?: boolean): boolean {
  if (antiCsrfCheck === false || mode !== 'VIA_TOKEN' || !expectedToken) return true;
  return tokenEchoed(sent, expectedToken);
}

/** A refresh request: cookie-mode refreshes always need the rule of the mode (a refresh is a state change). */
export function refreshAntiCsrfOk(mode: AntiCsrfMode, request: RequestLike, transferMethod: TokenTransferMethod, storedToken: string | null): boolean {
  if (transferMethod !== 'cookie') return true;
  if (mode === 'VIA_CUSTOM_HEADER') return requestHeader(request, WIRE.rid) !== undefined;
  if (mode === 'VIA_TOKEN') return tokenEchoed(requestHeader(request, WIRE.antiCsrf), storedToken);
  return true;
}

/** A refresh token given directly (`refreshSessionWithoutRequestResponse`): the stored token must be echoed unless disabled. */
export function directRefreshAntiCsrfOk(mode: AntiCsrfMode, storedToken: string | null, sent: string | undefined, disabled: boolean): boolean {
  if (disabled || mode !== 'VIA_TOKEN' || !storedToken) return true;
  return tokenEchoed(sent, storedToken);
}

function tokenEchoed(sent: string | undefined, expected: string | null | undefined): boolean {
  return Boolean(sent && expected && secretsEqual(sent, expected));
}
