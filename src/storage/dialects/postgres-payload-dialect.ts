import type { DataSource } from 'typeorm';
import type { JSONObject } from '../../json';
import { parseJsonColumn } from '../database-family';
import { runQuery } from '../run-query';
import type { StoredPayload } from '../session-record';
import { type PayloadDialect, toKeyRemovalsAndValues } from './payload-dialect';

/**
 * PostgreSQL: one UPDATE ... RETURNING with `jsonb` operators. `- text[]` deletes the keys set to
 * `null`, `||` sets the others, replacing each top-level value whole (SuperTokens'
 * `mergeIntoAccessTokenPayload`). The column stays `json` (portable entities); the cast is per
 * statement. Under concurrent updates PostgreSQL re-evaluates the SET on the newest row version
 * after the row lock, so merges of different keys never lose one.
 */
export class PostgresPayloadDialect implements PayloadDialect {
  /** @param table the escaped sessions table */
  constructor(private readonly table: string) {}

  private static readonly MERGED = `((access_token_payload::jsonb - $1::text[]) || $2::jsonb)::json`;

  async mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number): Promise<StoredPayload | undefined> {
    const { removedKeys, values } = toKeyRemovalsAndValues(update);
    const result = await runQuery(
      dataSource,
      `UPDATE ${this.table}
          SET access_token_payload = ${PostgresPayloadDialect.MERGED},
              payload_version = payload_version + 1
        WHERE session_handle = $3 AND expires_at > $4
    RETURNING access_token_payload, payload_version`,
      [removedKeys, JSON.stringify(values), sessionHandle, nowMs],
    );
    const row = result.records[0] as { access_token_payload: unknown; payload_version: number } | undefined;
    return row ? { payload: parseJsonColumn(row.access_token_payload), version: Number(row.payload_version) } : undefined;
  }

  async mergeOneIfExists(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number): Promise<boolean> {
    return (await this.mergeOne(dataSource, sessionHandle, update, nowMs)) !== undefined;
  }

  async mergeForUser(dataSource: DataSource, userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number): Promise<number> {
    const { removedKeys, values } = toKeyRemovalsAndValues(update);
    const params: unknown[] = [removedKeys, JSON.stringify(values), userId, nowMs];
    if (tenantId !== undefined) params.push(tenantId);
    // Rows are locked in handle order first (the sub-select's FOR UPDATE runs after its sort):
    // two per-user merges racing over the same sessions then wait for each other instead of
    // deadlocking, which a plain UPDATE in physical row order does.
    const result = await runQuery(
      dataSource,
      `UPDATE ${this.table} AS s
          SET access_token_payload = ${PostgresPayloadDialect.MERGED},
              payload_version = payload_version + 1
         FROM (SELECT session_handle FROM ${this.table}
                WHERE user_id = $3 AND expires_at > $4${tenantId !== undefined ? ' AND tenant_id = $5' : ''}
                ORDER BY session_handle
                  FOR UPDATE) AS locked
        WHERE s.session_handle = locked.session_handle`,
      params,
    );
    return result.affected ?? 0;
  }
}
