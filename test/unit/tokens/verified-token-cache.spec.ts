import type { AccessTokenPayload } from '../../../src/tokens/access-token-payload';
import { estimateEntryBytes, VerifiedTokenCache } from '../../../src/tokens/verified-token-cache';

/**
 * The verified-token cache changes cost, never validity: an entry is keyed by the exact token
 * string, never served at or past the token's `exp`, bounded (oldest insertion evicted first),
 * and frozen, so one request cannot change what the next request with the same token sees.
 */
function payload(exp: number, extra: Record<string, unknown> = {}): AccessTokenPayload {
  return { sub: 'u', tId: 'public', rsub: 'u', sessionHandle: 'h', refreshTokenHash1: 'r', parentRefreshTokenHash1: null, antiCsrfToken: null, iat: 0, exp, iss: 'i', ...extra };
}

describe('VerifiedTokenCache', () => {
  it('serves a verified token until its exp, then forgets it', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('t1', payload(100));
    expect(cache.get('t1', 99)).toEqual(payload(100));
    expect(cache.get('t1', 100)).toBeUndefined();
    expect(cache.get('t1', 50)).toBeUndefined();
  });

  it('is keyed by the exact token string', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('token', payload(100));
    expect(cache.get('token ', 1)).toBeUndefined();
    expect(cache.get('Token', 1)).toBeUndefined();
  });

  it('never serves a different token that ends like a cached one (a signature copied onto another header and payload)', () => {
    const cache = new VerifiedTokenCache(10);
    const signature = 'S'.repeat(342);
    const genuine = `header.payload.${signature}`;
    const forged = `header.forgedpayload.${signature}`;
    cache.set(genuine, payload(100));
    expect(cache.get(forged, 1)).toBeUndefined();
    expect(cache.get(genuine, 1)).toBeDefined();
    // A token with the same end verified later takes the entry over; the first is then verified again.
    cache.set(forged, payload(200));
    expect(cache.get(forged, 1)?.exp).toBe(200);
    expect(cache.get(genuine, 1)).toBeUndefined();
  });

  it('evicts the oldest insertion when full', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', payload(100));
    cache.set('b', payload(100));
    cache.set('c', payload(100));
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('b', 1)).toBeDefined();
    expect(cache.get('c', 1)).toBeDefined();
  });

  it('caches nothing with capacity 0', () => {
    const cache = new VerifiedTokenCache(0);
    cache.set('a', payload(100));
    expect(cache.get('a', 1)).toBeUndefined();
  });

  it('deep-freezes what it caches', () => {
    const cache = new VerifiedTokenCache(1);
    const p = payload(100, { roles: { v: ['user'], t: 1 } });
    cache.set('a', p);
    const cached = cache.get('a', 1)! as Record<string, any>;
    expect(Object.isFrozen(cached)).toBe(true);
    expect(Object.isFrozen(cached.roles.v)).toBe(true);
    expect(() => cached.roles.v.push('admin')).toThrow(TypeError);
  });
});

describe('VerifiedTokenCache byte bound', () => {
  const big = (exp: number, n: number) => payload(exp, { pad: 'x'.repeat(n) });

  it('evicts the oldest entries until the new one fits within maxBytes', () => {
    const cache = new VerifiedTokenCache(1000, 20_000);
    for (let i = 0; i < 50; i++) cache.set(`token-${i}`, big(100, 1000));
    const stats = cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(20_000);
    expect(stats.entries).toBeGreaterThan(1);
    expect(stats.entries).toBeLessThan(50);
    expect(cache.get('token-49', 1)).toBeDefined();
    expect(cache.get('token-0', 1)).toBeUndefined();
  });

  it('does not cache an entry larger than a quarter of the budget', () => {
    const cache = new VerifiedTokenCache(1000, 8_000);
    cache.set('small', payload(100));
    cache.set('huge', big(100, 5000));
    expect(cache.get('huge', 1)).toBeUndefined();
    expect(cache.get('small', 1)).toBeDefined();
  });

  it('keeps the byte count exact through expiry and re-insertion', () => {
    const cache = new VerifiedTokenCache(1000, 1_000_000);
    cache.set('a', big(10, 100));
    cache.set('a', big(10, 100));
    cache.set('b', big(100, 100));
    expect(cache.stats().bytes).toBe(estimateEntryBytes('a', big(10, 100)) + estimateEntryBytes('b', big(100, 100)));
    expect(cache.get('a', 50)).toBeUndefined();
    expect(cache.stats().bytes).toBe(estimateEntryBytes('b', big(100, 100)));
    expect(cache.stats().entries).toBe(1);
  });
});

describe('VerifiedTokenCache admission (offer)', () => {
  it('admits every verified token while the cache has room', () => {
    const cache = new VerifiedTokenCache(3);
    expect(cache.offer('a', payload(100))).toBe(true);
    expect(cache.offer('b', payload(100))).toBe(true);
    expect(cache.stats().entries).toBe(2);
    expect(cache.get('a', 1)).toBeDefined();
  });

  it('once full, a token seen for the first time is not inserted and evicts nothing; its second sight is', () => {
    const cache = new VerifiedTokenCache(2);
    cache.offer('a', payload(100));
    cache.offer('b', payload(100));
    const before = cache.stats();
    expect(cache.offer('c', payload(100))).toBe(false);
    expect(cache.stats()).toEqual(before);
    expect(cache.get('c', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBeDefined();
    // Verified again (as a miss does): now admitted, the oldest entry goes.
    expect(cache.offer('c', payload(100))).toBe(true);
    expect(cache.get('c', 1)).toBeDefined();
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.stats().entries).toBe(2);
  });

  it('a stream of never-repeated tokens leaves a full cache as it was', () => {
    const cache = new VerifiedTokenCache(100);
    for (let i = 0; i < 100; i++) cache.offer(`kept-${i}`, payload(100));
    for (let i = 0; i < 5000; i++) cache.offer(`once-${i}`, payload(100));
    expect(cache.stats().entries).toBe(100);
    for (let i = 0; i < 100; i++) expect(cache.get(`kept-${i}`, 1)).toBeDefined();
  });

  it('full by bytes counts as full: the first sight of a token that would evict is not admitted', () => {
    const cache = new VerifiedTokenCache(1000, 20_000);
    const big = payload(100, { pad: 'x'.repeat(300) });
    let admitted = 0;
    for (let i = 0; i < 20; i++) if (cache.offer(`t-${i}`, big)) admitted++;
    const { entries } = cache.stats();
    expect(admitted).toBe(entries);
    expect(entries).toBeGreaterThan(1);
    expect(entries).toBeLessThan(20);
    expect(cache.get('t-19', 1)).toBeUndefined();
    expect(cache.offer('t-19', big)).toBe(true);
    expect(cache.get('t-19', 1)).toBeDefined();
    expect(cache.stats().bytes).toBeLessThanOrEqual(20_000);
  });

  it('offers nothing with capacity or bytes 0', () => {
    for (const cache of [new VerifiedTokenCache(0), new VerifiedTokenCache(10, 0)]) {
      expect(cache.offer('a', payload(100))).toBe(false);
      expect(cache.offer('a', payload(100))).toBe(false);
      expect(cache.stats().entries).toBe(0);
    }
  });
});
