import type { DataSource } from 'typeorm';
import { type DatabaseFamily, databaseFamily } from '../storage/database-family';
import { FEED_LOG_TABLE, feedLogTable } from '../storage/migrations/1763800000300-create-feed-log';

/** One stored event. */
export interface FeedLogRow {
  seq: number;
  createdAt: number;
  body: string;
}

/**
 * Marks every statement of the feed, so a query log can tell the feed's background statements
 * (publishing, catching up) from the statements of requests.
 */
export const FEED_SQL_TAG = '/* nest-session:feed */';

/**
 * PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a longer event (a user with hundreds
 * of sessions revoked at once) is sent as its sequence number alone and read from the log.
 */
export const NOTIFY_PAYLOAD_LIMIT = 7900;

/**
 * The feed's log table over the module's DataSource: appending (the sequence number is the
 * database's auto-increment, so every instance agrees on it), reading what came after a number,
 * pruning. Raw SQL per family; the table is qualified with the DataSource's schema.
 */
export class FeedLog {
  private readonly family: DatabaseFamily;
  private readonly table: string;

  constructor(private readonly dataSource: DataSource) {
    this.family = databaseFamily(dataSource.options.type);
    const schema = this.family === 'postgres' ? (dataSource.options as { schema?: string }).schema : undefined;
    const escape = (name: string) => dataSource.driver.escape(name);
    this.table = schema ? `${escape(schema)}.${escape(FEED_LOG_TABLE)}` : escape(FEED_LOG_TABLE);
  }

  /** Creates the table when the migrations did not (a `synchronize` database, an app DataSource without the migration). */
  async ensureTable(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.createTable(feedLogTable(runner), true);
    } finally {
      await runner.release();
    }
  }

  /** Appends an event; its sequence number. */
  async append(body: string, nowMs: number): Promise<number> {
    if (this.family === 'mysql') {
      const result = await this.dataSource.query(`${FEED_SQL_TAG} INSERT INTO ${this.table} (created_at, body) VALUES (?, ?)`, [nowMs, body]);
      return Number((result as { insertId: number }).insertId);
    }
    const rows: { seq: unknown }[] = await this.dataSource.query(
      `${FEED_SQL_TAG} INSERT INTO ${this.table} (created_at, body) VALUES (${this.p(1)}, ${this.p(2)}) RETURNING seq`,
      [nowMs, body],
    );
    return Number(rows[0].seq);
  }

  /**
   * PostgreSQL: appends and notifies in ONE statement. The notification leaves at commit, with
   * the row then visible, so a receiver that reads the log on a gap finds the row.
   */
  async appendAndNotify(channel: string, body: string, nowMs: number): Promise<number> {
    const rows: { seq: unknown }[] = await this.dataSource.query(
      `${FEED_SQL_TAG} WITH added AS (INSERT INTO ${this.table} (created_at, body) VALUES ($1, $2) RETURNING seq) ` +
        `SELECT seq, pg_notify($3, CASE WHEN octet_length($2) > ${NOTIFY_PAYLOAD_LIMIT} THEN seq::text ELSE seq::text || ' ' || $2 END) FROM added`,
      [nowMs, body, channel],
    );
    return Number(rows[0].seq);
  }

  /**
   * Rows after `seq`, plus every row created since `sinceMs` (a row numbered earlier whose
   * transaction committed late is still found), oldest first.
   */
  async after(seq: number, sinceMs: number): Promise<FeedLogRow[]> {
    const rows: { seq: unknown; created_at: unknown; body: string }[] = await this.dataSource.query(
      `${FEED_SQL_TAG} SELECT seq, created_at, body FROM ${this.table} WHERE seq > ${this.p(1)} OR created_at >= ${this.p(2)} ORDER BY seq`,
      [seq, sinceMs],
    );
    return rows.map((r) => ({ seq: Number(r.seq), createdAt: Number(r.created_at), body: r.body }));
  }

  /** The highest sequence number written (0 for an empty log). */
  async highest(): Promise<number> {
    const rows: { top: unknown }[] = await this.dataSource.query(`${FEED_SQL_TAG} SELECT MAX(seq) AS top FROM ${this.table}`);
    return rows[0]?.top === null || rows[0]?.top === undefined ? 0 : Number(rows[0].top);
  }

  /** Deletes rows created before `beforeMs` (their tokens have expired). */
  async prune(beforeMs: number): Promise<void> {
    await this.dataSource.query(`${FEED_SQL_TAG} DELETE FROM ${this.table} WHERE created_at < ${this.p(1)}`, [beforeMs]);
  }

  private p(index: number): string {
    return this.family === 'postgres' ? `$${index}` : '?';
  }
}
