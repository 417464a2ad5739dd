import type { DataSource } from 'typeorm';
import { SessionConfigError } from '../../errors/session-config-error';
import type { FeedLog } from '../feed-log';
import { type FeedTransport, type FeedTransportHandlers, reconnectDelay } from './feed-transport';

/** The part of `pg`'s Client the transport uses (`pg` ships no types; it is the app's driver already). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): void;
  on(event: 'error' | 'end', listener: (error?: Error) => void): void;
  escapeIdentifier(name: string): string;
}
type PgModule = { Client: new (config: Record<string, unknown>) => PgClient };

/**
 * PostgreSQL LISTEN/NOTIFY: no server besides the database. Publishing is one statement on the
 * module's DataSource (log row + `pg_notify`, see {@link FeedLog.appendAndNotify}); listening is a
 * dedicated `pg` client (a LISTEN must stay on one connection, which a pool cannot promise),
 * named `applicationName` in `pg_stat_activity`, reconnected after any loss.
 */
export class PostgresFeedTransport implements FeedTransport {
  private client?: PgClient;
  private handlers?: FeedTransportHandlers;
  private closed = false;
  private attempt = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: FeedLog,
    private readonly channel: string,
    private readonly applicationName: string,
  ) {
    if (dataSource.options.type !== 'postgres') {
      throw new SessionConfigError(`revocationFeed transport "postgres" needs a PostgreSQL DataSource, not "${dataSource.options.type}"`);
    }
  }

  async start(handlers: FeedTransportHandlers): Promise<void> {
    this.handlers = handlers;
    await this.connect();
  }

  publish(body: string, nowMs: number): Promise<number> {
    return this.log.appendAndNotify(this.channel, body, nowMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require('pg') as PgModule;
    const o = this.dataSource.options as { url?: string; host?: string; port?: number; username?: string; password?: string; database?: string; ssl?: unknown };
    const client = new Client({
      connectionString: o.url,
      host: o.host,
      port: o.port,
      user: o.username,
      password: o.password,
      database: o.database,
      ssl: o.ssl,
      application_name: this.applicationName,
      keepAlive: true,
    });
    let lost = false;
    const onLoss = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.handlers?.down(error?.message ?? 'connection ended');
      this.schedule();
    };
    client.on('error', onLoss);
    client.on('end', onLoss);
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload !== undefined) this.handlers?.message(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch (error) {
      onLoss(error as Error);
      return;
    }
    if (lost || this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.handlers?.up();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), reconnectDelay(this.attempt++));
    this.timer.unref();
  }
}
