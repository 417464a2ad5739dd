import type { AntiCsrfMode, TokenTransferMethod } from '../config/session-module-options';
import { secretsEqual } from '../tokens/secrets';
import { requestHeader, requestMethod, type RequestLike } from './http-objects';
import { WIRE } from './token-names';

/** Outcome of the anti-CSRF check, mapped to SuperTokens' errors by the caller. */
export type AntiCsrfOutcome = 'ok' | 'missing-custom-header' | 'token-mismatch';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookies ride along with cross-site requests; headers do not. So the check applies only to
 * cookie-mode requests, by default on unsafe methods; `antiCsrfCheck` forces it on or off.
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
  const sent = requestHeader(input.request, WIRE.antiCsrf);
  if (!sent || !input.expectedToken || !secretsEqual(sent, input.expectedToken)) return 'token-mismatch';
  return 'ok';
}
