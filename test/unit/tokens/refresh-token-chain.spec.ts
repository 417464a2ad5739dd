import { randomUUID } from 'node:crypto';
import { classifyRefreshToken, MAX_CHAIN_WALK, type StoredRefreshState } from '../../../src/tokens/refresh-token-chain';
import { formatRefreshToken, nextRefreshToken, parseRefreshToken, type ParsedRefreshToken, refreshTokenStorageHash } from '../../../src/tokens/refresh-token';
import { randomSecret } from '../../../src/tokens/secrets';

/**
 * A presented refresh token is classified against the stored chain: the current token rotates, its
 * parent within the grace window gets the same child, an older genuine token is theft, and anything
 * forged or out of range is merely invalid (no revocation).
 */

const GRACE_MS = 30_000;

/** A session whose refresh token has been rotated `rotations` times, the last at `rotatedAt`. */
function sessionAfter(rotations: number, rotatedAt = 1_000_000) {
  const salt = randomSecret();
  const chain: ParsedRefreshToken[] = [{ sessionHandle: randomUUID(), generation: 0, secret: randomSecret() }];
  for (let i = 0; i < rotations; i++) chain.push(nextRefreshToken(chain[i], salt));
  const current = chain[chain.length - 1];
  const stored: StoredRefreshState = {
    refreshGeneration: current.generation,
    refreshHash: refreshTokenStorageHash(formatRefreshToken(current)),
    refreshSalt: salt,
    rotatedAt,
  };
  return { chain, current, stored };
}

describe('refresh-token chain classification', () => {
  it('rotates the current token', () => {
    const { current, stored } = sessionAfter(3);
    expect(classifyRefreshToken(current, stored, stored.rotatedAt + 1, GRACE_MS)).toEqual({ kind: 'rotate' });
  });

  it('gives the parent the current token again inside the grace window', () => {
    const { chain, current, stored } = sessionAfter(3);
    expect(classifyRefreshToken(chain[2], stored, stored.rotatedAt + GRACE_MS, GRACE_MS)).toEqual({ kind: 'grace', current });
  });

  it('calls the parent theft once the grace window has passed', () => {
    const { chain, stored } = sessionAfter(3);
    expect(classifyRefreshToken(chain[2], stored, stored.rotatedAt + GRACE_MS + 1, GRACE_MS)).toEqual({ kind: 'theft', reuse: 'parent-after-grace', generationsBehind: 1 });
  });

  it('calls the grandparent theft even inside the grace window', () => {
    const { chain, stored } = sessionAfter(3);
    expect(classifyRefreshToken(chain[1], stored, stored.rotatedAt, GRACE_MS)).toEqual({ kind: 'theft', reuse: 'ancestor', generationsBehind: 2 });
    expect(classifyRefreshToken(chain[0], stored, stored.rotatedAt, GRACE_MS)).toEqual({ kind: 'theft', reuse: 'ancestor', generationsBehind: 3 });
  });

  it('refuses a forged secret for the current generation without calling it theft', () => {
    const { current, stored } = sessionAfter(2);
    const forged = { ...current, secret: randomSecret() };
    expect(classifyRefreshToken(forged, stored, stored.rotatedAt, GRACE_MS)).toEqual({ kind: 'invalid' });
  });

  it('refuses a forged old generation (its chain does not reach the stored hash) without calling it theft', () => {
    const { chain, stored } = sessionAfter(4);
    const forged = { ...chain[1], secret: randomSecret() };
    expect(classifyRefreshToken(forged, stored, stored.rotatedAt, GRACE_MS)).toEqual({ kind: 'invalid' });
  });

  it('refuses a generation from the future and one too old to walk', () => {
    const { current, stored } = sessionAfter(1);
    expect(classifyRefreshToken({ ...current, generation: current.generation + 1 }, stored, stored.rotatedAt, GRACE_MS)).toEqual({ kind: 'invalid' });
    const farAhead: StoredRefreshState = { ...stored, refreshGeneration: MAX_CHAIN_WALK + 5 };
    expect(classifyRefreshToken({ ...current, generation: 0 }, farAhead, stored.rotatedAt, GRACE_MS)).toEqual({ kind: 'invalid' });
  });

  it('derives a different child for a different salt (the chain needs the server-side salt)', () => {
    const { chain } = sessionAfter(0);
    expect(nextRefreshToken(chain[0], randomSecret()).secret).not.toBe(nextRefreshToken(chain[0], randomSecret()).secret);
  });

  it('parses only well-formed tokens', () => {
    const { current } = sessionAfter(2);
    expect(parseRefreshToken(formatRefreshToken(current))).toEqual(current);
    for (const bad of ['', 'abc', `${current.sessionHandle}.2`, `${current.sessionHandle}.x.${current.secret}`, `${formatRefreshToken(current)}.extra`, 'a'.repeat(500)]) {
      expect(parseRefreshToken(bad)).toBeUndefined();
    }
  });
});
