import type { RevocationFeedTransport } from '../config/revocation-feed-options';
import type { FeedReceiverCounters } from './feed-receiver';

/**
 * Bytes of heap per revoked handle besides its characters (Map entry, expiry queue slots, string
 * header), measured by `npm run bench:feed` (bench/feed-memory.ts) on Node 20 with UUID handles.
 */
export const BYTES_PER_REVOKED_ENTRY = 86;

/** What `SessionService.getRevocationFeedStats()` reports. */
export interface FeedStats extends FeedReceiverCounters {
  transport: RevocationFeedTransport;
  /** True while every request reads the database (start, lost connection, gap not yet read). */
  degraded: boolean;
  /** Revoked handles held (until their access tokens have expired). */
  revokedHandles: number;
  /** Estimated heap bytes of the revoked set ({@link BYTES_PER_REVOKED_ENTRY} per entry + 1 per character of the handles). */
  revokedBytes: number;
  /** Sessions whose payload changed within the last access-token validity. */
  changedSessions: number;
  /** Users whose sessions all changed (`mergeIntoAccessTokenPayloadForUser`) within that time. */
  changedUsers: number;
  /** Events this instance failed to publish, waiting to be sent again (a database or Redis outage). */
  unsent: number;
  /** Events dropped unsent (more than 10,000 waiting). */
  unsentDropped: number;
  /** Milliseconds from publishing (on any instance) to applied here, over the last 1024 live messages. */
  deliveryMs: { count: number; p50: number; p99: number; max: number };
}
