/** Which session gives way when a user at `maxSessionsPerUser` signs in again, or `deny` the new one. */
export type SessionCapPolicy = 'evict-oldest' | 'evict-least-recently-refreshed' | 'deny';

/** The per-user cap a creation must respect. */
export interface SessionCap {
  max: number;
  policy: SessionCapPolicy;
}

/** What a capped creation did: whether the session was stored, and which sessions it evicted. */
export interface CappedCreation {
  created: boolean;
  evicted: string[];
}

/** A live session as the cap sees it. */
export interface CapCandidate {
  sessionHandle: string;
  createdAt: number;
  rotatedAt: number;
}

/**
 * The sessions to evict so that one more fits under the cap (oldest by creation or by last
 * refresh, ties by handle so every database picks the same), or `undefined` when `deny` refuses.
 */
export function sessionsToEvict(live: CapCandidate[], cap: SessionCap): string[] | undefined {
  const excess = live.length - cap.max + 1;
  if (excess <= 0) return [];
  if (cap.policy === 'deny') return undefined;
  const key = cap.policy === 'evict-oldest' ? 'createdAt' : 'rotatedAt';
  return [...live]
    .sort((a, b) => a[key] - b[key] || a.createdAt - b.createdAt || a.sessionHandle.localeCompare(b.sessionHandle))
    .slice(0, excess)
    .map((s) => s.sessionHandle);
}
