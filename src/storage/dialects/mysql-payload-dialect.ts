import type { DataSource } from 'typeorm';
import { PayloadTooLargeError } from '../../errors/payload-errors';
import type { JSONObject } from '../../json';
import { parseJsonColumn } from '../database-family';
import type { PayloadSizeLimit } from '../payload-size-limit';
import { runQuery } from '../run-query';
import type { StoredPayload } from '../session-record';
import { ONE_LIVE_SESSION, type PayloadDialect, pathMergeForUser, pathMergeUpdate } from './payload-dialect';

/**
 * `JSON_EXTRACT(?, '$')` turns JSON text into a JSON value on both MySQL and MariaDB (no `CAST AS
 * JSON` there); `LENGTH` is in bytes (of the JSON printed as text, on MySQL's JSON type).
 */
const MYSQL_FUNCTIONS = {
  remove: 'JSON_REMOVE',
  set: 'JSON_SET',
  asJson: (p: string) => `JSON_EXTRACT(${p}, '$')`,
  bytes: (expr: string) => `LENGTH(${expr})`,
};

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

  async mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<StoredPayload | undefined> {
    if (!(await this.mergeOneIfExists(dataSource, sessionHandle, update, nowMs, limit))) return undefined;
    const read = await runQuery(dataSource, `SELECT access_token_payload, payload_version FROM ${this.table} WHERE session_handle = ?`, [sessionHandle]);
    const row = read.records[0] as { access_token_payload: unknown; payload_version: number } | undefined;
    return row ? { payload: parseJsonColumn(row.access_token_payload), version: Number(row.payload_version) } : undefined;
  }

  async mergeOneIfExists(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<boolean> {
    // payload_version always changes, so the affected count is 1 for a live session even
    // without the FOUND_ROWS connection flag.
    const statement = pathMergeUpdate(this.table, MYSQL_FUNCTIONS, update, ONE_LIVE_SESSION, [sessionHandle, nowMs], '', limit);
    const result = await runQuery(dataSource, statement.sql, statement.params);
    if (!limit) return (result.affected ?? 0) > 0;
    // A refused merge matches the row but changes nothing (not even the version): "Rows matched"
    // of the server's info line (with or without the FOUND_ROWS flag), then changed rows.
    const raw = result.raw as { info?: string; changedRows?: number } | undefined;
    const matched = Number(/Rows matched:\s*(\d+)/.exec(raw?.info ?? '')?.[1] ?? result.affected ?? 0);
    const changed = raw?.changedRows ?? matched;
    if (matched > 0 && changed === 0) throw new PayloadTooLargeError(undefined, limit.tokenLimit);
    return matched > 0;
  }

  mergeForUser(dataSource: DataSource, userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<number> {
    return pathMergeForUser(dataSource, this.table, MYSQL_FUNCTIONS, { userId, tenantId }, update, nowMs, limit);
  }
}
