import type { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableTable } from './portable-table';

/** The revocation feed's log (`revocationFeed` option): not an entity, only raw SQL reads and writes it. */
export const FEED_LOG_TABLE = 'nest_session_feed_log';

/**
 * One row per feed event, numbered by an auto-increment sequence: an instance that missed
 * messages (connection lost, a gap in the numbers) reads what it missed here; an instance that
 * starts later loads the revocations still in force. Rows older than one access-token validity
 * are deleted by the publishers.
 */
export function feedLogTable(queryRunner: QueryRunner): Table {
  const type = queryRunner.connection.options.type;
  // SQLite allows AUTOINCREMENT only on INTEGER PRIMARY KEY (which is 64-bit there anyway).
  const sqlite = type === 'better-sqlite3' || type === 'sqlite';
  return portableTable(queryRunner, {
    name: FEED_LOG_TABLE,
    columns: [
      { name: 'seq', type: sqlite ? 'integer' : 'bigint', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
      { name: 'created_at', type: 'bigint' },
      { name: 'body', type: 'text' },
    ],
    indices: [{ name: 'idx_nest_session_feed_log_created', columnNames: ['created_at'] }],
  });
}

/** The revocation feed's log table (used only when the `revocationFeed` option is on). */
export class CreateFeedLog1763800000300 implements MigrationInterface {
  name = 'CreateFeedLog1763800000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(feedLogTable(queryRunner), true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(FEED_LOG_TABLE, true);
  }
}
