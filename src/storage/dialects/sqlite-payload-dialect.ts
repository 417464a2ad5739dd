import type { DataSource } from 'typeorm';
import { PayloadTooLargeError } from '../../errors/payload-errors';
import type { JSONObject } from '../../json';
import { parseJsonColumn } from '../database-family';
import type { PayloadSizeLimit } from '../payload-size-limit';
import { runQuery } from '../run-query';
import type { StoredPayload } from '../session-record';
import { ONE_LIVE_SESSION, type PayloadDialect, pathMergeForUser, pathMergeUpdate } from './payload-dialect';

const SQLITE_FUNCTIONS = {
  remove: 'json_remove',
  set: 'json_set',
  asJson: (p: string) => `json(${p})`,
  bytes: (expr: string) => `length(CAST(${expr} AS BLOB))`,
};

/** SQLite: `json_remove` then `json_set` (see `pathMergeExpression`) in one UPDATE ... RETURNING. */
export class SqlitePayloadDialect implements PayloadDialect {
  /** @param table the escaped sessions table */
  constructor(private readonly table: string) {}

  async mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<StoredPayload | undefined> {
    const statement = pathMergeUpdate(
      this.table,
      SQLITE_FUNCTIONS,
      update,
      ONE_LIVE_SESSION,
      [sessionHandle, nowMs],
      ' RETURNING access_token_payload, payload_version',
      limit,
    );
    const row = (await runQuery(dataSource, statement.sql, statement.params)).records[0] as
      | { access_token_payload: string; payload_version: number; refused?: number }
      | undefined;
    if (limit && row && Number(row.refused) === 1) throw new PayloadTooLargeError(undefined, limit.tokenLimit);
    return row ? { payload: parseJsonColumn(row.access_token_payload), version: Number(row.payload_version) } : undefined;
  }

  async mergeOneIfExists(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<boolean> {
    return (await this.mergeOne(dataSource, sessionHandle, update, nowMs, limit)) !== undefined;
  }

  mergeForUser(dataSource: DataSource, userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<number> {
    return pathMergeForUser(dataSource, this.table, SQLITE_FUNCTIONS, { userId, tenantId }, update, nowMs, limit);
  }
}
