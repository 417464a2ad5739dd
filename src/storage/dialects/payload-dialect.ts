import type { DataSource } from 'typeorm';
import { PayloadTooLargeError } from '../../errors/payload-errors';
import type { JSONObject } from '../../json';
import type { PayloadSizeLimit } from '../payload-size-limit';
import { runQuery } from '../run-query';
import type { StoredPayload } from '../session-record';

/**
 * The only driver-specific SQL: single-statement, atomic payload merges. One implementation per
 * database, chosen once at start from the DataSource's driver.
 */
export interface PayloadDialect {
  /**
   * Merge into one live session's payload and bump its version; the result, or `undefined`.
   * With a `limit`, the same statement refuses a result past it (then `PayloadTooLargeError`).
   */
  mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<StoredPayload | undefined>;
  /** The same merge in exactly one statement, without the result; whether the session was live. */
  mergeOneIfExists(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<boolean>;
  /** Merge into every live session of a user (optionally one tenant), all or none within `limit`; the number of rows changed. */
  mergeForUser(
    dataSource: DataSource,
    userId: string,
    tenantId: string | undefined,
    update: JSONObject,
    nowMs: number,
    limit?: PayloadSizeLimit,
  ): Promise<number>;
}

/**
 * SQL that is true when a row's payload, merged, passes `limit` (see {@link PayloadSizeLimit}):
 * `bytes` is the dialect's byte-length function, `merged` the merged-payload expression and
 * `alias` the row's table alias (with its dot) or ''. The coefficients are our own integers.
 */
export function overLimitCondition(limit: PayloadSizeLimit, bytes: (expr: string) => string, merged: string, alias = ''): string {
  const n = (value: number) => String(Math.trunc(value));
  return `(${n(limit.perPayloadByte)} * ${bytes(merged)} + ${n(limit.perUserIdByte)} * ${bytes(`${alias}user_id`)} + ${n(limit.perTenantIdByte)} * ${bytes(`${alias}tenant_id`)}) > ${n(limit.maxTotal)}`;
}

/**
 * A top-level merge (SuperTokens' `mergeIntoAccessTokenPayload`) as two parts: the keys to
 * delete (`null` in the update) and the values to set, each replacing the stored value whole
 * (nested objects are not merged, and a `null` inside a value is stored as it is).
 *
 * RFC 7396 merge patches (`json_patch`, `JSON_MERGE_PATCH`) cannot express this: they recurse
 * into object values and drop every nested `null`. So the dialects use key-level operators:
 * `jsonb - keys || values` on PostgreSQL, `json_remove` / `json_set` on SQLite and MySQL.
 */
export function toKeyRemovalsAndValues(update: JSONObject): { removedKeys: string[]; values: JSONObject } {
  const removedKeys: string[] = [];
  const values: JSONObject = {};
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    if (value === null) removedKeys.push(key);
    else values[key] = value;
  }
  return { removedKeys, values };
}

/**
 * A JSON path to one top-level member: `$."key"` with the key escaped as a JSON string, which
 * SQLite (3.45+) and MySQL/MariaDB read back to the same key (dots, spaces, quotes included).
 */
export function memberPath(key: string): string {
  return `$.${JSON.stringify(key)}`;
}

/** Members per `json_set` / `json_remove` call (SQLite caps function arguments at 127 by default). */
const MEMBERS_PER_CALL = 50;

/** A dialect's JSON path functions, how it marks a placeholder as JSON text, and its byte length of text. */
export interface PathMergeFunctions {
  remove: string;
  set: string;
  asJson: (placeholder: string) => string;
  bytes: (expr: string) => string;
}

/**
 * The SQL expression (with `?` placeholders, in order) that applies a top-level merge to
 * `column` with path functions: `set(remove(column, paths...), path, json(value), ...)`, nested
 * in chunks for long updates. `remove`/`set` are the dialect's function names and `asJson` wraps
 * a placeholder holding JSON text so the function stores it as JSON, not as a string.
 */
export function pathMergeExpression(
  column: string,
  update: JSONObject,
  fn: PathMergeFunctions,
): { sql: string; params: string[] } {
  const { removedKeys, values } = toKeyRemovalsAndValues(update);
  let sql = column;
  const params: string[] = [];
  for (const keys of chunks(removedKeys)) {
    sql = `${fn.remove}(${sql}${', ?'.repeat(keys.length)})`;
    params.push(...keys.map(memberPath));
  }
  for (const entries of chunks(Object.entries(values))) {
    sql = `${fn.set}(${sql}${entries.map(() => `, ?, ${fn.asJson('?')}`).join('')})`;
    for (const [key, value] of entries) params.push(memberPath(key), JSON.stringify(value));
  }
  return { sql, params };
}

/**
 * One UPDATE applying a top-level merge with path functions and bumping the version, for the rows
 * `where` selects (`?` placeholders, `whereParams` in order); SQLite adds a `RETURNING` clause.
 *
 * With a `limit`, a row whose merged payload would pass it keeps its payload and its version
 * (see {@link sizeGuardedSet}); a `RETURNING` clause then also returns `refused` (1 or 0).
 */
export function pathMergeUpdate(
  table: string,
  fn: PathMergeFunctions,
  update: JSONObject,
  where: string,
  whereParams: unknown[],
  returning = '',
  limit?: PayloadSizeLimit,
): { sql: string; params: unknown[] } {
  const merged = pathMergeExpression('access_token_payload', update, fn);
  if (!limit) {
    return {
      sql: `UPDATE ${table}
            SET access_token_payload = ${merged.sql},
                payload_version = payload_version + 1
          WHERE ${where}${returning}`,
      params: [...merged.params, ...whereParams],
    };
  }
  const over = overLimitCondition(limit, fn.bytes, merged.sql);
  const flag = returning ? `, (CASE WHEN ${over} THEN 1 ELSE 0 END) AS refused` : '';
  return {
    sql: `UPDATE ${table}
            SET ${sizeGuardedSet(over, merged.sql)}
          WHERE ${where}${returning}${flag}`,
    params: [...merged.params, ...merged.params, ...merged.params, ...whereParams, ...(returning ? merged.params : [])],
  };
}

/**
 * The SET of a size-guarded merge, in one statement: a row whose merged payload is `over` the
 * limit keeps its payload and version, any other gets the merge and a new version. The version
 * comes first: MySQL evaluates SET assignments left to right on the updated row, so both then
 * see the old payload there as everywhere else. After the statement, merging the same update
 * into the stored payload again tells the two apart (a top-level merge is idempotent): still
 * over the limit means refused. That is the `refused` flag of `RETURNING` (SQLite, PostgreSQL);
 * on MySQL, a matched row that did not change.
 */
export function sizeGuardedSet(over: string, merged: string): string {
  return `payload_version = payload_version + (CASE WHEN ${over} THEN 0 ELSE 1 END),
                access_token_payload = CASE WHEN ${over} THEN access_token_payload ELSE ${merged} END`;
}

/**
 * The per-user merge, one UPDATE; the same statement on SQLite and MySQL/MariaDB but for the
 * function names. With a `limit` it is all or nothing: if one session's merged payload would
 * pass it, no session changes and `PayloadTooLargeError` is thrown. The count of such sessions
 * is read through a derived table, which MySQL materialises (it refuses a subquery reading the
 * table being updated otherwise).
 */
export async function pathMergeForUser(
  dataSource: DataSource,
  table: string,
  fn: PathMergeFunctions,
  target: { userId: string; tenantId: string | undefined },
  update: JSONObject,
  nowMs: number,
  limit?: PayloadSizeLimit,
): Promise<number> {
  const byTenant = target.tenantId !== undefined;
  const where = `user_id = ? AND expires_at > ?${byTenant ? ' AND tenant_id = ?' : ''}`;
  const targetParams = byTenant ? [target.userId, nowMs, target.tenantId] : [target.userId, nowMs];
  if (!limit) {
    const statement = pathMergeUpdate(table, fn, update, where, targetParams);
    return (await runQuery(dataSource, statement.sql, statement.params)).affected ?? 0;
  }
  const mergedHere = pathMergeExpression('o.access_token_payload', update, fn);
  const overLimit = `SELECT COUNT(*) AS n FROM ${table} o
                      WHERE o.user_id = ? AND o.expires_at > ?${byTenant ? ' AND o.tenant_id = ?' : ''}
                        AND ${overLimitCondition(limit, fn.bytes, mergedHere.sql, 'o.')}`;
  const overParams = [...targetParams, ...mergedHere.params];
  const statement = pathMergeUpdate(table, fn, update, `${where} AND (SELECT n FROM (${overLimit}) AS over_limit) = 0`, [...targetParams, ...overParams]);
  const affected = (await runQuery(dataSource, statement.sql, statement.params)).affected ?? 0;
  if (affected === 0) {
    const over = (await runQuery(dataSource, overLimit, overParams)).records[0] as { n: number | string } | undefined;
    if (Number(over?.n ?? 0) > 0) throw new PayloadTooLargeError(undefined, limit.tokenLimit);
  }
  return affected;
}

/** The rows a single-session merge selects: the live session with this handle. */
export const ONE_LIVE_SESSION = 'session_handle = ? AND expires_at > ?';

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MEMBERS_PER_CALL) out.push(items.slice(i, i + MEMBERS_PER_CALL));
  return out;
}
