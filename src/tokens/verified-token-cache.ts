import type { AccessTokenPayload } from './access-token-payload';

/** Characters of the token's end the map is keyed by: 42 base64url characters of signature carry 252 bits. */
const KEY_LENGTH = 42;

/** The map key of a token: its last characters (hashing a short string, not the whole ~1 KB token, on every request). */
function keyOf(token: string): string {
  return token.length > KEY_LENGTH ? token.slice(-KEY_LENGTH) : token;
}

interface Entry {
  token: string;
  payload: AccessTokenPayload;
}

/**
 * A bounded cache of access tokens whose signature was already checked. An entry serves only
 * the exact token string it was verified for (it is found by the token's end, then the whole
 * token is compared), and never past the token's `exp`, so caching changes cost, not validity.
 * Eviction is least-recently-inserted (a Map keeps insertion order).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  /** The payload of a token verified before and not yet expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): AccessTokenPayload | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (entry.payload.exp <= nowSeconds) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  /**
   * Remember a verified token. The payload is deep-frozen: it is shared by every request that
   * presents this token, so no handler may change what the next request's claims see.
   */
  set(token: string, payload: AccessTokenPayload): void {
    if (this.capacity === 0) return;
    deepFreeze(payload);
    const key = keyOf(token);
    // A token whose end matches an entry's replaces it (the map holds one token per key).
    if (!this.entries.has(key) && this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { token, payload });
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
