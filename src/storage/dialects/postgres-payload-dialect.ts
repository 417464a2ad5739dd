import type { DataSource } from 'typeorm';
import { PayloadTooLargeError } from '../../errors/payload-errors';
import type { JSONObject } from '../../json';
import { parseJsonColumn } from '../database-family';
import type { PayloadSizeLimit } from '../payload-size-limit';
import { runQuery } from '../run-query';
import type { StoredPayload } from '../session-record';
import { overLimitCondition, type PayloadDialect, sizeGuardedSet, toKeyRemovalsAndValues } from './payload-dialect';

const bytes = (expr: string) => `octet_length((${expr})::text)`;

/**
 * PostgreSQL: one UPDATE ... RETURNING with `jsonb` operators. `- text[]` deletes the keys set to
 * `null`, `||` sets the others, replacing each top-level value whole (SuperTokens'
 * `mergeIntoAccessTokenPayload`). The column stays `json` (portable entities); the cast is per
 * statement. Under concurrent updates PostgreSQL re-evaluates the SET (size guard included) on the
 * newest row version after the row lock, so merges of different keys never lose one.
 */
export class PostgresPayloadDialect implements PayloadDialect {
  /** @param table the escaped sessions table */
  constructor(private readonly table: string) {}

  private static merged(alias = ''): string {
    return `((${alias}access_token_payload::jsonb - $1::text[]) || $2::jsonb)`;
  }

  async mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<StoredPayload | undefined> {
    const { removedKeys, values } = toKeyRemovalsAndValues(update);
    const merged = PostgresPayloadDialect.merged();
    const over = limit ? overLimitCondition(limit, bytes, merged) : undefined;
    const result = await runQuery(
      dataSource,
      `UPDATE ${this.table}
          SET ${over ? sizeGuardedSet(over, `${merged}::json`) : `access_token_payload = ${merged}::json, payload_version = payload_version + 1`}
        WHERE session_handle = $3 AND expires_at > $4
    RETURNING access_token_payload, payload_version${over ? `, (CASE WHEN ${over} THEN 1 ELSE 0 END) AS refused` : ''}`,
      [removedKeys, JSON.stringify(values), sessionHandle, nowMs],
    );
    const row = result.records[0] as { access_token_payload: unknown; payload_version: number; refused?: number } | undefined;
    if (limit && row && Number(row.refused) === 1) throw new PayloadTooLargeError(undefined, limit.tokenLimit);
    return row ? { payload: parseJsonColumn(row.access_token_payload), version: Number(row.payload_version) } : undefined;
  }

  async mergeOneIfExists(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<boolean> {
    return (await this.mergeOne(dataSource, sessionHandle, update, nowMs, limit)) !== undefined;
  }

  async mergeForUser(
    dataSource: DataSource,
    userId: string,
    tenantId: string | undefined,
    update: JSONObject,
    nowMs: number,
    limit?: PayloadSizeLimit,
  ): Promise<number> {
    const { removedKeys, values } = toKeyRemovalsAndValues(update);
    const params: unknown[] = [removedKeys, JSON.stringify(values), userId, nowMs];
    if (tenantId !== undefined) params.push(tenantId);
    const ofUser = (alias: string) => `${alias}user_id = $3 AND ${alias}expires_at > $4${tenantId !== undefined ? ` AND ${alias}tenant_id = $5` : ''}`;
    // All or nothing: no session changes when one of them would pass the limit.
    const overLimit = limit
      ? `SELECT 1 FROM ${this.table} AS o WHERE ${ofUser('o.')} AND ${overLimitCondition(limit, bytes, PostgresPayloadDialect.merged('o.'), 'o.')}`
      : undefined;
    // Rows are locked in handle order first (the sub-select's FOR UPDATE runs after its sort):
    // two per-user merges racing over the same sessions then wait for each other instead of
    // deadlocking, which a plain UPDATE in physical row order does.
    const result = await runQuery(
      dataSource,
      `UPDATE ${this.table} AS s
          SET access_token_payload = ${PostgresPayloadDialect.merged()}::json,
              payload_version = payload_version + 1
         FROM (SELECT session_handle FROM ${this.table}
                WHERE ${ofUser('')}
                ORDER BY session_handle
                  FOR UPDATE) AS locked
        WHERE s.session_handle = locked.session_handle${overLimit ? ` AND NOT EXISTS (${overLimit})` : ''}`,
      params,
    );
    const affected = result.affected ?? 0;
    if (affected === 0 && overLimit && (await runQuery(dataSource, `${overLimit} LIMIT 1`, params)).records.length > 0) {
      throw new PayloadTooLargeError(undefined, limit!.tokenLimit);
    }
    return affected;
  }
}
