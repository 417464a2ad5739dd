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
  bytes: number;
}

/** What the cache holds: how many tokens and about how many bytes, against its bounds. */
export interface VerifiedTokenCacheStats {
  entries: number;
  /** Estimated memory of the cached tokens and payloads (see {@link estimateEntryBytes}). */
  bytes: number;
  maxEntries: number;
  maxBytes: number;
}

/**
 * A bounded cache of access tokens whose signature was already checked. An entry serves only
 * the exact token string it was verified for (it is found by the token's end, then the whole
 * token is compared), and never past the token's `exp`, so caching changes cost, not validity.
 * It is bounded by count and by bytes: large payloads cannot grow it past `maxBytes` however
 * many tokens one user makes by refreshing. Eviction is least-recently-inserted (a Map keeps
 * insertion order).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** The payload of a token verified before and not yet expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): AccessTokenPayload | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (entry.payload.exp <= nowSeconds) {
      this.remove(key, entry);
      return undefined;
    }
    return entry.payload;
  }

  /**
   * Remember a verified token. The payload is deep-frozen: it is shared by every request that
   * presents this token, so no handler may change what the next request's claims see.
   */
  set(token: string, payload: AccessTokenPayload): void {
    if (this.capacity === 0 || this.maxBytes === 0) return;
    const bytes = estimateEntryBytes(token, payload);
    // A token bigger than a quarter of the budget would evict most of the cache for one entry.
    if (bytes > this.maxBytes / 4) return;
    deepFreeze(payload);
    const key = keyOf(token);
    // A token whose end matches an entry's replaces it (the map holds one token per key).
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    while (this.entries.size > 0 && (this.entries.size >= this.capacity || this.bytes + bytes > this.maxBytes)) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      this.remove(oldestKey, oldest);
    }
    this.entries.set(key, { token, payload, bytes });
    this.bytes += bytes;
  }

  /** Current size against the bounds. */
  stats(): VerifiedTokenCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxEntries: this.capacity, maxBytes: this.maxBytes };
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/**
 * Memory of one entry, estimated: the token string (UTF-16, two bytes a character), the payload as
 * its JSON text costs twice over (strings in UTF-16 plus object overhead) and a fixed overhead for
 * the Map entry, its key and objects. Deliberately on the high side: the bound is what matters.
 */
export function estimateEntryBytes(token: string, payload: AccessTokenPayload): number {
  return 2 * token.length + 4 * Buffer.byteLength(JSON.stringify(payload), 'utf8') + 256;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
