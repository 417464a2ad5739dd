import { SessionConfigError } from '../../errors/session-config-error';
import { encodeFeedMessage } from '../feed-event';
import type { FeedLog } from '../feed-log';
import type { FeedTransport, FeedTransportHandlers } from './feed-transport';

/** The part of an `ioredis` client the transport uses. */
interface RedisClient {
  status: string;
  connect(): Promise<void>;
  subscribe(channel: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'message', listener: (channel: string, message: string) => void): this;
  on(event: 'ready' | 'close' | 'error', listener: (error?: Error) => void): this;
}
type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

/**
 * Redis pub/sub (`ioredis`, an optional peer dependency, loaded only when this transport is
 * chosen): for apps past PostgreSQL NOTIFY's limits, or on MySQL/MariaDB. The log row (and so the
 * sequence number) is written to the database first, then published. Two connections: a
 * subscriber (named `connectionName` in `CLIENT LIST`) and a publisher; ioredis reconnects
 * both, and every reconnection of the subscriber is reported as a gap.
 */
export class RedisFeedTransport implements FeedTransport {
  private subscriber?: RedisClient;
  private publisher?: RedisClient;
  private handlers?: FeedTransportHandlers;
  private closed = false;
  private listening = false;
  private firstUp?: () => void;

  constructor(
    private readonly log: FeedLog,
    private readonly url: string,
    private readonly channel: string,
    private readonly connectionName: string,
  ) {}

  async start(handlers: FeedTransportHandlers): Promise<void> {
    this.handlers = handlers;
    const Redis = loadIoredis();
    const options = { lazyConnect: true, autoResubscribe: false, maxRetriesPerRequest: 2, retryStrategy: (n: number) => Math.min(2000, 100 * 2 ** Math.min(n, 5)) };
    this.publisher = new Redis(this.url, { ...options, connectionName: `${this.connectionName}:pub` });
    this.publisher.on('error', () => undefined);
    const subscriber = new Redis(this.url, { ...options, connectionName: this.connectionName });
    this.subscriber = subscriber;
    subscriber.on('message', (channel, message) => {
      if (channel === this.channel) this.handlers?.message(message);
    });
    subscriber.on('error', () => undefined);
    subscriber.on('close', () => {
      if (!this.listening || this.closed) return;
      this.listening = false;
      this.handlers?.down('redis subscriber connection closed');
    });
    // After every (re)connection: subscribe again, then report "up" so the receiver reads the log.
    const firstUp = new Promise<void>((resolve) => {
      this.firstUp = resolve;
      // Redis unreachable at start: the app starts anyway, degraded (reading the database) until it answers.
      setTimeout(resolve, 5000).unref();
    });
    subscriber.on('ready', () => void this.subscribe(subscriber));
    await Promise.all([this.publisher.connect().catch(() => undefined), subscriber.connect().catch(() => undefined)]);
    if (subscriber.status === 'ready' || subscriber.status === 'connect') await firstUp;
  }

  async publish(body: string, nowMs: number): Promise<number> {
    const seq = await this.log.append(body, nowMs);
    if (!this.publisher) throw new Error('the redis feed transport is not started');
    await this.publisher.publish(this.channel, encodeFeedMessage(seq, body));
    return seq;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const client of [this.subscriber, this.publisher]) {
      if (!client) continue;
      await client.quit().catch(() => client.disconnect());
    }
  }

  private async subscribe(subscriber: RedisClient): Promise<void> {
    try {
      await subscriber.subscribe(this.channel);
    } catch {
      return; // the connection went again; its next 'ready' retries
    }
    if (this.closed || subscriber.status !== 'ready') return;
    this.listening = true;
    this.handlers?.up();
    this.firstUp?.();
  }
}

function loadIoredis(): RedisConstructor {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('ioredis') as RedisConstructor | { default: RedisConstructor };
    return typeof loaded === 'function' ? loaded : loaded.default;
  } catch {
    throw new SessionConfigError('revocationFeed transport "redis" needs the ioredis package: npm install ioredis');
  }
}
