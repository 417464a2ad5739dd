import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ResolvedRevocationFeed } from '../config/revocation-feed-options';
import type { SessionConfig } from '../config/session-config';
import { SessionConfigError } from '../errors/session-config-error';
import { SESSION_CONFIG, SESSION_DATA_SOURCE } from '../session.constants';
import { encodeFeedEvent, type FeedEvent } from './feed-event';
import { FeedLog } from './feed-log';
import { FeedReceiver } from './feed-receiver';
import { FeedSet, PRUNE_SLICE } from './feed-set';
import { BYTES_PER_REVOKED_ENTRY, type FeedStats } from './feed-stats';
import { type FeedRead, type FeedVerdict, tokenTail } from './feed-verdict';
import type { FeedTransport } from './transports/feed-transport';
import { UnsentEvents } from './unsent-events';
import { InProcessFeedTransport } from './transports/in-process-feed-transport';
import { PostgresFeedTransport } from './transports/postgres-feed-transport';
import { RedisFeedTransport } from './transports/redis-feed-transport';

/** Access tokens issued a moment after a revocation (a refresh in flight) are covered too. */
const REVOCATION_MARGIN_MS = 5000;
/** Confirmed tokens kept per changed session / per changed user. */
const CONFIRMED_PER_SESSION = 4;
const CONFIRMED_PER_USER = 16;
const PLAIN_READ: FeedRead = { confirm: () => undefined };

/** The parts of an access-token payload the feed looks at. */
export interface FeedTokenFields {
  sessionHandle: string;
  sub: string;
  tId: string;
}

/**
 * The revocation and change feed of one instance (the `revocationFeed` option): publishes what
 * this instance's store did, and answers, from memory, whether a verified token's session was
 * revoked or changed elsewhere. Inactive (every answer "trust", nothing published) when the
 * option is off.
 */
@Injectable()
export class RevocationFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('nest-session');
  private readonly options?: ResolvedRevocationFeed;
  private readonly revoked = new FeedSet(0);
  private readonly changed: FeedSet<string[]>;
  private readonly changedUsers: FeedSet<string[]>;
  private readonly validityMs: number;
  private transport?: FeedTransport;
  private unsent?: UnsentEvents;
  private receiver?: FeedReceiver;
  private log?: FeedLog;
  private timer?: NodeJS.Timeout;
  private lastPrune = 0;
  private pruneScheduled = false;

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Optional() @Inject(SESSION_DATA_SOURCE) private readonly dataSource?: DataSource,
  ) {
    this.options = config.revocationFeed;
    this.validityMs = config.accessTokenValidity * 1000;
    this.changed = new FeedSet(this.validityMs + REVOCATION_MARGIN_MS);
    this.changedUsers = new FeedSet(this.validityMs + REVOCATION_MARGIN_MS);
  }

  /** Whether the option is on. */
  get enabled(): boolean {
    return this.options !== undefined;
  }

  async onModuleInit(): Promise<void> {
    const options = this.options;
    if (!options) return;
    const transport = this.createTransport(options);
    this.transport = transport;
    const now = () => this.config.clock.now();
    this.unsent = new UnsentEvents((body, publishedAt) => transport.publish(body, publishedAt), now, (message) => this.logger.error(message));
    this.receiver = new FeedReceiver(this.log, (event, stamp) => this.apply(event, stamp), now, (message) => this.logger.warn(message));
    const receiver = this.receiver;
    await this.transport.start({ message: (text) => receiver.message(text), down: (reason) => receiver.down(reason), up: () => receiver.up() });
    // Revocations still in force are loaded before the first request (instances starting later).
    await receiver.settled();
    this.timer = setInterval(() => void this.tick(), options.pollIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.receiver?.stop();
    await this.unsent?.flush();
    await this.transport?.close();
  }

  /**
   * Sends an event to every instance (this one included). A failure is logged, never thrown (the
   * write it reports is done), and the event is sent again in the background until it goes.
   */
  async publish(event: FeedEvent): Promise<void> {
    if (!this.transport) return;
    const now = this.config.clock.now();
    const body = encodeFeedEvent(event, now);
    try {
      await this.transport.publish(body, now);
    } catch (error) {
      this.logger.error(`revocation feed could not publish a ${event.kind} event: ${(error as Error).message}; sending it again in the background`);
      this.unsent?.add(body, now, now + this.validityMs + REVOCATION_MARGIN_MS);
    }
    if (this.log && now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      this.log.prune(now - this.validityMs - 2 * REVOCATION_MARGIN_MS).catch(() => undefined);
    }
  }

  /** When access tokens issued before a revocation now have all expired. */
  revocationUntil(): number {
    return this.config.clock.now() + this.validityMs + REVOCATION_MARGIN_MS;
  }

  /**
   * For a verified token: `'revoked'` (refuse), a {@link FeedRead} (read this session from the
   * database: its payload changed since the token was issued, or this instance may have missed
   * news), or `'trust'` (no database read). Memory only.
   */
  verdict(fields: FeedTokenFields, accessToken: string, nowMs: number): FeedVerdict {
    if (!this.receiver) return 'trust';
    const handle = fields.sessionHandle;
    if (this.revoked.has(handle, nowMs)) return 'revoked';
    if (this.receiver.degraded) return PLAIN_READ;
    if (this.changed.size === 0 && this.changedUsers.size === 0) return 'trust';
    const handleStamp = this.changed.stampOf(handle, nowMs);
    const userKey = this.userKeyOf(fields.sub, fields.tId, nowMs);
    const userStamp = userKey === undefined ? undefined : this.changedUsers.stampOf(userKey, nowMs);
    if (handleStamp === undefined && userStamp === undefined) return 'trust';
    const tail = tokenTail(accessToken);
    const handleOk = handleStamp === undefined || (this.changed.extra(handle)?.includes(tail) ?? false);
    const userOk = userStamp === undefined || (this.changedUsers.extra(userKey!)?.includes(tail) ?? false);
    if (handleOk && userOk) return 'trust';
    return {
      confirm: (token: string) => {
        const confirmed = tokenTail(token);
        if (handleStamp !== undefined) remember(this.changed, handle, handleStamp, confirmed, CONFIRMED_PER_SESSION);
        if (userStamp !== undefined) remember(this.changedUsers, userKey!, userStamp, confirmed, CONFIRMED_PER_USER);
      },
    };
  }

  stats(): FeedStats | undefined {
    if (!this.options || !this.receiver) return undefined;
    this.prune();
    return {
      transport: this.options.transport,
      degraded: this.receiver.degraded,
      revokedHandles: this.revoked.size,
      revokedBytes: this.revoked.size * BYTES_PER_REVOKED_ENTRY + this.revoked.keyChars,
      changedSessions: this.changed.size,
      changedUsers: this.changedUsers.size,
      unsent: this.unsent?.size ?? 0,
      unsentDropped: this.unsent?.dropped ?? 0,
      deliveryMs: this.receiver.delivery.summary(),
      ...this.receiver.counters,
    };
  }

  private apply(event: FeedEvent, stamp: number): void {
    switch (event.kind) {
      case 'revoked':
        for (const handle of event.handles) this.revoked.add(handle, event.until);
        return;
      case 'payload':
        for (const handle of event.handles) this.changed.add(handle, stamp);
        return;
      case 'user-payload':
        this.changedUsers.add(userKey(event.userId, event.tenantId), stamp);
        return;
    }
  }

  /** The changed-user key that concerns this token: its tenant's, or the all-tenants one. */
  private userKeyOf(userId: string, tenantId: string, nowMs: number): string | undefined {
    if (this.changedUsers.size === 0) return undefined;
    const tenantKey = userKey(userId, tenantId);
    if (this.changedUsers.has(tenantKey, nowMs)) return tenantKey;
    const anyKey = userKey(userId, null);
    return this.changedUsers.has(anyKey, nowMs) ? anyKey : undefined;
  }

  private async tick(): Promise<void> {
    this.prune();
    try {
      await this.receiver?.poll();
    } catch (error) {
      this.logger.warn(`revocation feed could not check its log: ${(error as Error).message}`);
    }
  }

  /** Drops expired entries, one slice per set and event-loop turn until none is left. */
  private prune(): void {
    const now = this.config.clock.now();
    const full = [this.revoked.prune(now), this.changed.prune(now), this.changedUsers.prune(now)].some((n) => n === PRUNE_SLICE);
    if (full && !this.pruneScheduled) {
      this.pruneScheduled = true;
      setImmediate(() => {
        this.pruneScheduled = false;
        if (this.receiver) this.prune();
      });
    }
  }

  private createTransport(options: ResolvedRevocationFeed): FeedTransport {
    if (options.transport === 'in-process') return new InProcessFeedTransport();
    const dataSource = this.dataSource;
    if (!dataSource) {
      throw new SessionConfigError(`revocationFeed transport "${options.transport}" keeps its log in the module's database: it needs the TypeORM session store`);
    }
    this.log = new FeedLog(dataSource);
    const connectionName = `nest-session-feed:${process.pid}`;
    if (options.transport === 'postgres') {
      return new PostgresFeedTransport(dataSource, this.log, options.channel ?? defaultChannel(dataSource, '_'), connectionName);
    }
    return new RedisFeedTransport(this.log, options.redisUrl, options.channel ?? defaultChannel(dataSource, ':'), connectionName);
  }
}

function userKey(userId: string, tenantId: string | null): string {
  return `${tenantId ?? '*'}\u0000${userId}`;
}

function remember(set: FeedSet<string[]>, key: string, stamp: number, tail: string, cap: number): void {
  const list = set.extra(key) ?? [];
  if (list.includes(tail)) return;
  set.setExtra(key, stamp, [tail, ...list].slice(0, cap));
}

/**
 * One channel per database and schema, so apps (or test runs) sharing a server do not hear each
 * other; long names are shortened with a hash (PostgreSQL channel names stop at 63 bytes).
 */
function defaultChannel(dataSource: DataSource, separator: string): string {
  const o = dataSource.options as { host?: string; port?: number; database?: unknown; schema?: string; url?: string };
  const where = [o.url ?? `${o.host ?? ''}:${o.port ?? ''}`, String(o.database ?? ''), o.schema ?? ''].join('/');
  const base = `nest_session_feed${separator}${o.schema ?? String(o.database ?? 'default')}`.replace(/[^A-Za-z0-9_:]/g, '_');
  const hash = createHash('sha256').update(where).digest('hex').slice(0, 10);
  const channel = `${base}${separator}${hash}`;
  return channel.length <= 63 ? channel : `nest_session_feed${separator}${hash}`;
}
