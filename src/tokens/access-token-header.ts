/** Access tokens are header-size input; anything longer is refused before parsing. */
export const MAX_ACCESS_TOKEN_LENGTH = 16 * 1024;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A JWT segment (base64url JSON) that decodes to a plain JSON object, or `undefined`. */
export function readJsonObjectSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The header of something shaped like one of our access tokens (a compact JWS of three
 * non-empty base64url segments, at most {@link MAX_ACCESS_TOKEN_LENGTH} long, whose header is a
 * JSON object with `version: "5"`, a `kid` and an `alg`, and no `crit`: we never issue critical
 * extensions, so none is understood), or `undefined`. No signature work: verification uses it
 * to pick the key, transport to tell our bearer tokens from other services'.
 */
export function readAccessTokenHeader(token: string): { kid: string; alg: string } | undefined {
  if (token.length > MAX_ACCESS_TOKEN_LENGTH || !JWT_SHAPE.test(token)) return undefined;
  const header = readJsonObjectSegment(token.slice(0, token.indexOf('.')));
  if (header === undefined || typeof header.kid !== 'string' || header.version !== '5' || typeof header.alg !== 'string' || header.crit !== undefined) {
    return undefined;
  }
  return { kid: header.kid, alg: header.alg };
}
