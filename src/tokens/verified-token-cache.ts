import type { AccessTokenPayload } from './access-token-payload';

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

/** Characters of the token's end the admission filter hashes (signature characters: random). */
const SEEN_HASH_LENGTH = 12;

/**
 * A bounded cache of access tokens whose signature was already checked. An entry serves only
 * the exact token string it was verified for (it is found by the token's end, then the whole
 * token is compared), and never past the token's `exp`, so caching changes cost, not validity.
 * It is bounded by count and by bytes: large payloads cannot grow it past `maxBytes` however
 * many tokens one user makes by refreshing. Eviction is least-recently-inserted (a Map keeps
 * insertion order).
 *
 * Admission ({@link offer}): while the cache has room every verified token goes in; once it is
 * full, a token evicts the oldest entry only on its second verification, if the admission filter
 * still remembers the first. A stream of never-repeated tokens then leaves the cache alone:
 * replacing an entry on every miss kept a ~1 KB token and its payload alive long enough to be
 * promoted to the old generation, only to drop them thousands of requests later: that garbage
 * made a miss cost more than with the cache off (bench/RESULTS.md, branch miss). The filter is a direct-mapped
 * `Int32Array` of 32-bit hashes of token ends (as many slots as the largest power of two within
 * the capacity: 8,192 for 10,000; a sighting is forgotten when another token's hash takes its
 * slot): no strings, so no token stays reachable through it.
 */
export class VerifiedTokenCache {
  /**
   * Keyed by {@link hashOfEnd} of the token, a small integer V8 hashes for free (a string key,
   * the token's end sliced, cost a substring and a string hash per request, bench/RESULTS.md).
   * Tokens with the same key only share a slot: a hit still needs the whole token to be equal.
   */
  private readonly entries = new Map<number, Entry>();
  private bytes = 0;
  /** Hashes of tokens verified once and not admitted, one slot per hash (a newer one overwrites). */
  private readonly seen: Int32Array;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    this.seen = new Int32Array(capacity > 0 && maxBytes > 0 ? seenSlots(capacity) : 0);
  }

  /** The payload of a token verified before and not yet expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): AccessTokenPayload | undefined {
    const key = hashOfEnd(token);
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
    const bytes = this.entryBytes(token, payload);
    if (bytes !== undefined) this.insert(token, payload, bytes);
  }

  /**
   * {@link set} with admission: if the cache has room, or, when it is full (the entry would evict
   * another), if this token was offered before and the admission filter still remembers it;
   * otherwise only the sighting is noted. Returns whether the token is now cached.
   */
  offer(token: string, payload: AccessTokenPayload): boolean {
    if (this.seen.length === 0) return false;
    // Full is judged first from the token alone (its payload segment stands for the payload's
    // JSON): serialising the payload for the exact estimate cost a never-seen token ~5 µs.
    let bytes: number | undefined;
    let full = this.entries.size >= this.capacity || this.bytes + entryBytesOfToken(token) > this.maxBytes;
    if (!full) {
      bytes = this.entryBytes(token, payload);
      if (bytes === undefined) return false;
      full = this.bytes + bytes > this.maxBytes;
    }
    if (full && !this.seenBefore(token)) return false;
    bytes ??= this.entryBytes(token, payload);
    if (bytes === undefined) return false;
    this.insert(token, payload, bytes);
    return true;
  }

  /** The entry's estimated bytes, or `undefined` if it is not to be cached at all. */
  private entryBytes(token: string, payload: AccessTokenPayload): number | undefined {
    if (this.capacity === 0 || this.maxBytes === 0) return undefined;
    const bytes = estimateEntryBytes(token, payload);
    // A token bigger than a quarter of the budget would evict most of the cache for one entry.
    return bytes > this.maxBytes / 4 ? undefined : bytes;
  }

  private insert(token: string, payload: AccessTokenPayload, bytes: number): void {
    deepFreeze(payload);
    const key = hashOfEnd(token);
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

  /** Whether the filter holds this token's hash (consuming it), else records it. */
  private seenBefore(token: string): boolean {
    const hash = hashOfEnd(token);
    const slot = hash & (this.seen.length - 1);
    if (this.seen[slot] === hash) {
      this.seen[slot] = 0;
      return true;
    }
    this.seen[slot] = hash;
    return false;
  }

  /** Current size against the bounds. */
  stats(): VerifiedTokenCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxEntries: this.capacity, maxBytes: this.maxBytes };
  }

  private remove(key: number, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/** Slots of the admission filter: the largest power of two within the capacity, at least 64 (8,192 for 10,000). */
function seenSlots(capacity: number): number {
  let slots = 64;
  while (slots * 2 <= capacity && slots < 1 << 20) slots *= 2;
  return slots;
}

/** A non-zero 32-bit hash (FNV-1a) of the token's last characters, read without slicing the token. */
function hashOfEnd(token: string): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = Math.max(0, token.length - SEEN_HASH_LENGTH); i < token.length; i++) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  return hash === 0 ? 1 : hash;
}

/**
 * {@link estimateEntryBytes} read off a compact JWS without decoding it: its payload segment is
 * base64url of the payload's JSON (4 characters per 3 bytes). Equal to the estimate for the
 * tokens we sign; only a cheaper first look at whether the cache is full.
 */
function entryBytesOfToken(token: string): number {
  const first = token.indexOf('.');
  // `indexOf` from the first dot: V8's `lastIndexOf` scanning back over the signature is slower.
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  const payloadChars = second < 0 ? 0 : second - first - 1;
  return 2 * token.length + 4 * Math.floor((payloadChars * 3) / 4) + 256;
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
