import { decodeProtectedHeader } from 'jose';

/** Access tokens are header-size input; anything longer is refused before parsing. */
export const MAX_ACCESS_TOKEN_LENGTH = 16 * 1024;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The header of something shaped like one of our access tokens (a compact JWS whose header has
 * `version: "5"`, a `kid` and an `alg`), or `undefined`. No signature work: verification uses it
 * to pick the key, transport to tell our bearer tokens from other services'.
 */
export function readAccessTokenHeader(token: string): { kid: string; alg: string } | undefined {
  if (token.length > MAX_ACCESS_TOKEN_LENGTH || !JWT_SHAPE.test(token)) return undefined;
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.kid !== 'string' || header.version !== '5' || typeof header.alg !== 'string') return undefined;
    return { kid: header.kid, alg: header.alg };
  } catch {
    return undefined;
  }
}
