import type { AccessTokenPayload } from './access-token-payload';

/**
 * A bounded cache of access tokens whose signature was already checked, keyed by the exact
 * token string. An entry is never used past the token's `exp`, so caching changes cost, not
 * validity. Eviction is least-recently-inserted (a Map keeps insertion order).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, AccessTokenPayload>();

  constructor(private readonly capacity: number) {}

  /** The payload of a token verified before and not yet expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): AccessTokenPayload | undefined {
    const payload = this.entries.get(token);
    if (payload === undefined) return undefined;
    if (payload.exp <= nowSeconds) {
      this.entries.delete(token);
      return undefined;
    }
    return payload;
  }

  /**
   * Remember a verified token. The payload is deep-frozen: it is shared by every request that
   * presents this token, so no handler may change what the next request's claims see.
   */
  set(token: string, payload: AccessTokenPayload): void {
    if (this.capacity === 0) return;
    deepFreeze(payload);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, payload);
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
