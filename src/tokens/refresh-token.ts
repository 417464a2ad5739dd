import { createHash, createHmac } from 'node:crypto';

/**
 * Refresh tokens are `{sessionHandle}.{generation}.{secret}`. Each refresh moves one generation
 * forward, and the next secret is an HMAC of the current one keyed by a per-session salt that
 * never leaves the database. That makes rotation deterministic (two tabs refreshing with the
 * same token get the same child) and lets the server prove that an old token is genuine by
 * walking the chain forward to the stored hash (theft), while a forged token for a known handle
 * cannot reach it (plain 401, no revocation).
 */
export interface ParsedRefreshToken {
  sessionHandle: string;
  generation: number;
  secret: string;
}

const TOKEN_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/;

/** Serialises a token. */
export function formatRefreshToken(token: ParsedRefreshToken): string {
  return `${token.sessionHandle}.${token.generation}.${token.secret}`;
}

/** Parses attacker-controlled input; `undefined` for anything that is not a well-formed token. */
export function parseRefreshToken(raw: string | undefined): ParsedRefreshToken | undefined {
  if (typeof raw !== 'string' || raw.length > 128) return undefined;
  const match = TOKEN_PATTERN.exec(raw);
  if (!match) return undefined;
  return { sessionHandle: match[1], generation: Number(match[2]), secret: match[3] };
}

/** The next token of the chain. */
export function nextRefreshToken(token: ParsedRefreshToken, salt: string): ParsedRefreshToken {
  const secret = createHmac('sha256', salt).update(token.secret).digest('base64url');
  return { sessionHandle: token.sessionHandle, generation: token.generation + 1, secret };
}

/** `refreshTokenHash1` of the access-token payload: SHA-256 (hex) of the whole token. */
export function refreshTokenHash1(token: string): string {
  return sha256Hex(token);
}

/** What the database stores: SHA-256 of hash1, so neither the token nor the payload's hash is kept. */
export function refreshTokenStorageHash(token: string): string {
  return sha256Hex(refreshTokenHash1(token));
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
