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

/** The key id and algorithm an access token's header names. */
export interface AccessTokenHeader {
  readonly kid: string;
  readonly alg: string;
}

/**
 * Header segments already read, and what they say. Every token one key signs has the same
 * header segment, so a never-seen token's header is usually known: its base64url decoding and
 * `JSON.parse` are skipped (the segment is compared whole, so the answer is the same).
 */
const knownHeaders = new Map<string, AccessTokenHeader>();
const KNOWN_HEADERS_LIMIT = 64;
/** Our header segments are ~100 characters; longer ones are read every time. */
const KNOWN_HEADER_MAX_LENGTH = 512;

/**
 * The header of something shaped like one of our access tokens (a compact JWS of three
 * non-empty base64url segments, at most {@link MAX_ACCESS_TOKEN_LENGTH} long, whose header is a
 * JSON object with `version: "5"`, a `kid` and an `alg`, and no `crit`: we never issue critical
 * extensions, so none is understood), or `undefined`. No signature work: verification uses it
 * to pick the key, transport to tell our bearer tokens from other services'.
 */
export function readAccessTokenHeader(token: string): AccessTokenHeader | undefined {
  if (token.length > MAX_ACCESS_TOKEN_LENGTH || !JWT_SHAPE.test(token)) return undefined;
  const segment = token.slice(0, token.indexOf('.'));
  const known = knownHeaders.get(segment);
  if (known !== undefined) return known;
  const header = readJsonObjectSegment(segment);
  if (header === undefined || typeof header.kid !== 'string' || header.version !== '5' || typeof header.alg !== 'string' || header.crit !== undefined) {
    return undefined;
  }
  const read: AccessTokenHeader = Object.freeze({ kid: header.kid, alg: header.alg });
  // Bounded: headers an attacker makes up (any kid) only ever cost this map a reset.
  if (segment.length <= KNOWN_HEADER_MAX_LENGTH) {
    if (knownHeaders.size >= KNOWN_HEADERS_LIMIT) knownHeaders.clear();
    knownHeaders.set(segment, read);
  }
  return read;
}
