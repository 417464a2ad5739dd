import type { AccessTokenPayload } from './access-token-payload';

/** What the cache holds: how many tokens and about how many bytes, against its bounds. */
export interface VerifiedTokenCacheStats {
  entries: number;
  /** Estimated memory of the cached tokens and payloads (see {@link estimateEntryBytes}). */
  bytes: number;
  maxEntries: number;
  maxBytes: number;
}

/**
 * A bounded cache of access tokens whose signature was already checked, keyed by the exact
 * token string. An entry is never used past the token's `exp`, so caching changes cost, not
 * validity. It is bounded by count and by bytes: large payloads cannot grow it past `maxBytes`
 * however many tokens one user makes by refreshing. Eviction is least-recently-inserted (a Map
 * keeps insertion order).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { payload: AccessTokenPayload; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** The payload of a token verified before and not yet expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): AccessTokenPayload | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.payload.exp <= nowSeconds) {
      this.remove(token, entry.bytes);
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
    const previous = this.entries.get(token);
    if (previous) this.remove(token, previous.bytes);
    while (this.entries.size > 0 && (this.entries.size >= this.capacity || this.bytes + bytes > this.maxBytes)) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.remove(oldest, entry.bytes);
    }
    this.entries.set(token, { payload, bytes });
    this.bytes += bytes;
  }

  /** Current size against the bounds. */
  stats(): VerifiedTokenCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxEntries: this.capacity, maxBytes: this.maxBytes };
  }

  private remove(token: string, bytes: number): void {
    this.entries.delete(token);
    this.bytes -= bytes;
  }
}

/**
 * Memory of one entry, estimated: the key string (UTF-16, two bytes a character), the payload as
 * its JSON text costs twice over (strings in UTF-16 plus object overhead) and a fixed overhead for
 * the Map entry and objects. Deliberately on the high side: the bound is what matters.
 */
export function estimateEntryBytes(token: string, payload: AccessTokenPayload): number {
  return 2 * token.length + 4 * Buffer.byteLength(JSON.stringify(payload), 'utf8') + 256;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
