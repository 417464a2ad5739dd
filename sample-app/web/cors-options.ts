import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';

/**
 * Request headers SuperTokens' frontend SDKs send (`supertokens-web-js`, `supertokens-website`,
 * `supertokens-auth-react`): `rid` and `fdi-version` on every call, `st-auth-mode` to pick the
 * transfer method, `authorization` in header mode, `anti-csrf` with the VIA_TOKEN mode.
 */
export const SUPERTOKENS_REQUEST_HEADERS = ['content-type', 'rid', 'fdi-version', 'anti-csrf', 'authorization', 'st-auth-mode'];

/** Response headers the SDKs must be able to read: the library exposes them too, per response. */
export const SUPERTOKENS_RESPONSE_HEADERS = ['front-token', 'st-access-token', 'st-refresh-token', 'anti-csrf'];

/**
 * CORS for pages served from other origins: only the listed origins, with credentials (the
 * session cookies in cookie mode), the SDKs' headers allowed in and the token headers readable.
 */
export function sampleCorsOptions(origins: string[]): CorsOptions {
  return {
    origin: origins,
    credentials: true,
    allowedHeaders: SUPERTOKENS_REQUEST_HEADERS,
    exposedHeaders: SUPERTOKENS_RESPONSE_HEADERS,
  };
}
