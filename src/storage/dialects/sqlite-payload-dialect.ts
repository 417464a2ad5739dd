import type { DataSource } from 'typeorm';
import type { JSONObject } from '../../claims/types';
import { runQuery } from '../run-query';
import type { StoredPayload } from '../session-record';
import { TABLES } from '../table-names';
import { type PayloadDialect, toMergePatches } from './payload-dialect';

/** SQLite: `json_patch` twice in one UPDATE ... RETURNING. */
export class SqlitePayloadDialect implements PayloadDialect {
  async mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number): Promise<StoredPayload | undefined> {
    const { removals, patch } = toMergePatches(update);
    const result = await runQuery(
      dataSource,
      `UPDATE ${TABLES.sessions}
         SET access_token_payload = json_patch(json_patch(access_token_payload, ?), ?),
             payload_version = payload_version + 1
       WHERE session_handle = ? AND expires_at > ?
       RETURNING access_token_payload, payload_version`,
      [JSON.stringify(removals), JSON.stringify(patch), sessionHandle, nowMs],
    );
    const row = result.records[0] as { access_token_payload: string; payload_version: number } | undefined;
    return row ? { payload: JSON.parse(row.access_token_payload), version: Number(row.payload_version) } : undefined;
  }

  async mergeForUser(dataSource: DataSource, userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number): Promise<number> {
    const { removals, patch } = toMergePatches(update);
    const params: unknown[] = [JSON.stringify(removals), JSON.stringify(patch), userId, nowMs];
    if (tenantId !== undefined) params.push(tenantId);
    const result = await runQuery(
      dataSource,
      `UPDATE ${TABLES.sessions}
         SET access_token_payload = json_patch(json_patch(access_token_payload, ?), ?),
             payload_version = payload_version + 1
       WHERE user_id = ? AND expires_at > ?${tenantId !== undefined ? ' AND tenant_id = ?' : ''}`,
      params,
    );
    return result.affected ?? 0;
  }
}
