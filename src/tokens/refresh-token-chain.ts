import { formatRefreshToken, nextRefreshToken, type ParsedRefreshToken, refreshTokenStorageHash } from './refresh-token';
import { secretsEqual } from './secrets';

/**
 * Longest chain walked to prove an old token genuine. The walk is synchronous HMAC work an
 * attacker can ask for with any known session handle, so it stays below the cost of the RSA
 * signature a real refresh pays (about 0.3 ms). A token superseded more than this many
 * refreshes ago is refused as invalid (401) instead of being recognised as theft.
 */
export const MAX_CHAIN_WALK = 128;

/** What the stored session says about its current refresh token. */
export interface StoredRefreshState {
  refreshGeneration: number;
  refreshHash: string;
  refreshSalt: string;
  rotatedAt: number;
}

/** What to do with a presented refresh token. */
export type RefreshOutcome =
  | { kind: 'rotate' }
  | { kind: 'grace'; current: ParsedRefreshToken }
  | { kind: 'theft'; reuse: 'parent-after-grace' | 'ancestor'; generationsBehind: number }
  | { kind: 'invalid' };

/**
 * Classifies a presented refresh token against the stored state:
 * - the current generation with the stored hash: rotate;
 * - an older generation whose chain leads to the stored hash is genuine: the parent within
 *   the grace window gets the current token again (same outcome as the first call), anything
 *   else is reuse of a superseded token, i.e. theft;
 * - everything else (future generation, wrong secret, forged) is invalid: a plain 401 that
 *   revokes nothing, so knowing a session handle is not enough to log its user out.
 */
export function classifyRefreshToken(
  presented: ParsedRefreshToken,
  stored: StoredRefreshState,
  nowMs: number,
  gracePeriodMs: number,
): RefreshOutcome {
  const current = stored.refreshGeneration;
  if (presented.generation === current) {
    return secretsEqual(refreshTokenStorageHash(formatRefreshToken(presented)), stored.refreshHash) ? { kind: 'rotate' } : { kind: 'invalid' };
  }
  if (presented.generation > current || current - presented.generation > MAX_CHAIN_WALK) return { kind: 'invalid' };
  let walked = presented;
  while (walked.generation < current) walked = nextRefreshToken(walked, stored.refreshSalt);
  if (!secretsEqual(refreshTokenStorageHash(formatRefreshToken(walked)), stored.refreshHash)) return { kind: 'invalid' };
  const withinGrace = presented.generation === current - 1 && nowMs - stored.rotatedAt <= gracePeriodMs;
  if (withinGrace) return { kind: 'grace', current: walked };
  const generationsBehind = current - presented.generation;
  return { kind: 'theft', reuse: generationsBehind === 1 ? 'parent-after-grace' : 'ancestor', generationsBehind };
}
