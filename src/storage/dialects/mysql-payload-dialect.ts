import type { DataSource } from 'typeorm';
import type { JSONObject } from '../../json';
import { parseJsonColumn } from '../database-family';
import { runQuery } from '../run-query';
import type { StoredPayload } from '../session-record';
import { ONE_LIVE_SESSION, type PayloadDialect, pathMergeForUser, pathMergeUpdate } from './payload-dialect';

/** `JSON_EXTRACT(?, '$')` turns JSON text into a JSON value on both MySQL and MariaDB (no `CAST AS JSON` there). */
const MYSQL_FUNCTIONS = { remove: 'JSON_REMOVE', set: 'JSON_SET', asJson: (p: string) => `JSON_EXTRACT(${p}, '$')` };

/**
 * MySQL and MariaDB: `JSON_REMOVE` then `JSON_SET` (see `pathMergeExpression`) in one UPDATE.
 * Neither has UPDATE ... RETURNING, so `mergeOne` reads the row back after the write; the write
 * itself is one atomic statement (InnoDB updates the locked, current row version), and the read
 * may already include a later merge, which only makes the returned payload newer. JSON comes
 * back parsed from MySQL's JSON type and as text from MariaDB's (an alias of LONGTEXT).
 */
export class MysqlPayloadDialect implements PayloadDialect {
  /** @param table the escaped sessions table */
  constructor(private readonly table: string) {}

  async mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number): Promise<StoredPayload | undefined> {
    if (!(await this.mergeOneIfExists(dataSource, sessionHandle, update, nowMs))) return undefined;
    const read = await runQuery(dataSource, `SELECT access_token_payload, payload_version FROM ${this.table} WHERE session_handle = ?`, [sessionHandle]);
    const row = read.records[0] as { access_token_payload: unknown; payload_version: number } | undefined;
    return row ? { payload: parseJsonColumn(row.access_token_payload), version: Number(row.payload_version) } : undefined;
  }

  async mergeOneIfExists(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number): Promise<boolean> {
    // payload_version always changes, so the affected count is 1 for a live session even
    // without the FOUND_ROWS connection flag.
    const statement = pathMergeUpdate(this.table, MYSQL_FUNCTIONS, update, ONE_LIVE_SESSION, [sessionHandle, nowMs]);
    return ((await runQuery(dataSource, statement.sql, statement.params)).affected ?? 0) > 0;
  }

  mergeForUser(dataSource: DataSource, userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number): Promise<number> {
    return pathMergeForUser(dataSource, this.table, MYSQL_FUNCTIONS, { userId, tenantId }, update, nowMs);
  }
}
