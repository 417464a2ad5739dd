import type { DataSource } from 'typeorm';
import type { JSONObject } from '../../json';
import { runQuery } from '../run-query';
import type { StoredPayload } from '../session-record';

/**
 * The only driver-specific SQL: single-statement, atomic payload merges. One implementation per
 * database, chosen once at start from the DataSource's driver.
 */
export interface PayloadDialect {
  /** Merge into one live session's payload and bump its version; the result, or `undefined`. */
  mergeOne(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number): Promise<StoredPayload | undefined>;
  /** The same merge in exactly one statement, without the result; whether the session was live. */
  mergeOneIfExists(dataSource: DataSource, sessionHandle: string, update: JSONObject, nowMs: number): Promise<boolean>;
  /** Merge into every live session of a user (optionally one tenant); the number of rows changed. */
  mergeForUser(dataSource: DataSource, userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number): Promise<number>;
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

/** A dialect's JSON path functions, and how it marks a placeholder as JSON text. */
export interface PathMergeFunctions {
  remove: string;
  set: string;
  asJson: (placeholder: string) => string;
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
 */
export function pathMergeUpdate(
  table: string,
  fn: PathMergeFunctions,
  update: JSONObject,
  where: string,
  whereParams: unknown[],
  returning = '',
): { sql: string; params: unknown[] } {
  const merged = pathMergeExpression('access_token_payload', update, fn);
  return {
    sql: `UPDATE ${table}
            SET access_token_payload = ${merged.sql},
                payload_version = payload_version + 1
          WHERE ${where}${returning}`,
    params: [...merged.params, ...whereParams],
  };
}

/** The per-user merge, one UPDATE; the same statement on SQLite and MySQL/MariaDB but for the function names. */
export async function pathMergeForUser(
  dataSource: DataSource,
  table: string,
  fn: PathMergeFunctions,
  target: { userId: string; tenantId: string | undefined },
  update: JSONObject,
  nowMs: number,
): Promise<number> {
  const byTenant = target.tenantId !== undefined;
  const where = `user_id = ? AND expires_at > ?${byTenant ? ' AND tenant_id = ?' : ''}`;
  const statement = pathMergeUpdate(table, fn, update, where, byTenant ? [target.userId, nowMs, target.tenantId] : [target.userId, nowMs]);
  return (await runQuery(dataSource, statement.sql, statement.params)).affected ?? 0;
}

/** The rows a single-session merge selects: the live session with this handle. */
export const ONE_LIVE_SESSION = 'session_handle = ? AND expires_at > ?';

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MEMBERS_PER_CALL) out.push(items.slice(i, i + MEMBERS_PER_CALL));
  return out;
}
