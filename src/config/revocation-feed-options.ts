import { SessionConfigError } from '../errors/session-config-error';

/** How instances tell each other about revocations and payload changes (`revocationFeed` option). */
export type RevocationFeedTransport = 'postgres' | 'redis' | 'in-process';

/**
 * The `revocationFeed` option: off by default. When on, every revocation and payload change is
 * published; every instance refuses revoked sessions at once and re-reads only changed sessions,
 * with no database read for the other requests.
 */
export interface RevocationFeedOptions {
  /**
   * `'postgres'`: LISTEN/NOTIFY on the module's PostgreSQL database (no other server).
   * `'redis'`: Redis pub/sub (`ioredis` must be installed; any database).
   * `'in-process'`: a single instance (SQLite apps): the events stay in this process.
   */
  transport: RevocationFeedTransport;
  /** Redis URL for `'redis'` (default `redis://127.0.0.1:6379`). */
  redisUrl?: string;
  /** Channel name (default: derived from the database and schema, so apps on one server do not mix). */
  channel?: string;
  /**
   * Seconds between checks of the log's newest sequence number (one small query per instance,
   * never per request): a message its sender failed to send is noticed within two intervals. Default 2.
   */
  pollIntervalSeconds?: number;
}

/** The option with its defaults; `undefined` when the feed is off. */
export interface ResolvedRevocationFeed {
  transport: RevocationFeedTransport;
  redisUrl: string;
  channel?: string;
  pollIntervalMs: number;
}

const TRANSPORTS: RevocationFeedTransport[] = ['postgres', 'redis', 'in-process'];

export function resolveRevocationFeed(option: RevocationFeedOptions | undefined): ResolvedRevocationFeed | undefined {
  if (option === undefined) return undefined;
  if (!TRANSPORTS.includes(option.transport)) throw new SessionConfigError(`revocationFeed.transport must be one of ${TRANSPORTS.join(', ')}`);
  const poll = option.pollIntervalSeconds ?? 2;
  if (!Number.isFinite(poll) || poll <= 0) throw new SessionConfigError(`revocationFeed.pollIntervalSeconds must be a positive number, got ${poll}`);
  if (option.channel !== undefined && !/^[A-Za-z0-9_:.\-/]{1,63}$/.test(option.channel)) {
    throw new SessionConfigError('revocationFeed.channel must be 1 to 63 characters among letters, digits and _ : . - /');
  }
  return { transport: option.transport, redisUrl: option.redisUrl ?? 'redis://127.0.0.1:6379', channel: option.channel, pollIntervalMs: poll * 1000 };
}
