import type { QueryRunner } from 'typeorm';
import { databaseFamily } from './database-family';
import { TABLES } from './table-names';

/**
 * The identifier columns of each table: user ids, tenant ids, roles, permissions, handles, key
 * ids. They must compare byte for byte (`ADMIN`, `ádmin` and `admin ` are not `admin`).
 */
export const IDENTIFIER_COLUMNS: Record<string, string[]> = {
  [TABLES.sessions]: ['session_handle', 'user_id', 'tenant_id'],
  [TABLES.signingKeys]: ['kid', 'algorithm'],
  [TABLES.roles]: ['role'],
  [TABLES.rolePermissions]: ['role', 'permission'],
  [TABLES.userRoles]: ['tenant_id', 'user_id', 'role'],
};

/**
 * NO PAD binary collations, best first: MariaDB's `utf8mb4_nopad_bin`, MySQL 8's
 * `utf8mb4_0900_bin`. `utf8mb4_bin` is not enough: it is PAD SPACE (`'admin ' = 'admin'`).
 */
const EXACT_COLLATIONS = ['utf8mb4_nopad_bin', 'utf8mb4_0900_bin'];

/**
 * The exact collation this MySQL/MariaDB server offers (asked of the server, so the `mysql` and
 * `mariadb` driver types both get the right one); a clear error on servers without one.
 */
export async function exactCollation(runner: QueryRunner): Promise<string> {
  const rows: Array<{ name: string }> = await runner.query(
    `SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN (${EXACT_COLLATIONS.map(() => '?').join(', ')})`,
    EXACT_COLLATIONS,
  );
  const offered = new Set(rows.map((r) => r.name));
  const chosen = EXACT_COLLATIONS.find((c) => offered.has(c));
  if (!chosen) {
    const [{ version }] = await runner.query('SELECT VERSION() AS version');
    throw new Error(`nest-session needs a NO PAD binary collation (${EXACT_COLLATIONS.join(' or ')}: MariaDB 10.2+ or MySQL 8+); server ${version} has none`);
  }
  return chosen;
}

/**
 * Gives every identifier column of the module's tables the server's exact collation (MySQL and
 * MariaDB only: SQLite's BINARY and PostgreSQL's deterministic collations already compare
 * bytes). Idempotent: only columns that differ are altered, existing rows are kept (a stricter
 * collation cannot make two stored keys equal). Tables that do not exist are skipped.
 */
export async function makeIdentifiersExact(runner: QueryRunner): Promise<void> {
  if (databaseFamily(runner.connection.options.type) !== 'mysql') return;
  const collation = await exactCollation(runner);
  await alterIdentifierColumns(runner, () => collation);
}

/**
 * The identifier columns (`table.column`) that do not have the server's exact collation yet;
 * always none on SQLite and PostgreSQL.
 */
export async function inexactIdentifierColumns(runner: QueryRunner): Promise<string[]> {
  if (databaseFamily(runner.connection.options.type) !== 'mysql') return [];
  const collation = await exactCollation(runner);
  const columns = await identifierColumns(runner);
  return columns.filter((c) => c.collation !== collation).map((c) => `${c.table}.${c.name}`);
}

/** Undoes {@link makeIdentifiersExact}: identifier columns back to their table's default collation. */
export async function restoreDefaultIdentifierCollation(runner: QueryRunner): Promise<void> {
  if (databaseFamily(runner.connection.options.type) !== 'mysql') return;
  const tables: Array<{ name: string; collation: string }> = await runner.query(
    'SELECT TABLE_NAME AS name, TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
  );
  const defaults = new Map(tables.map((t) => [t.name, t.collation]));
  await alterIdentifierColumns(runner, (table) => defaults.get(table)!);
}

interface ColumnInfo {
  table: string;
  name: string;
  type: string;
  nullable: string;
  collation: string | null;
}

/** The identifier columns of the module's tables in the connection's database, as the server describes them. */
async function identifierColumns(runner: QueryRunner): Promise<ColumnInfo[]> {
  const columns: ColumnInfo[] = await runner.query(
    `SELECT TABLE_NAME AS \`table\`, COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLLATION_NAME AS collation
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${Object.keys(IDENTIFIER_COLUMNS).map(() => '?').join(', ')})`,
    Object.keys(IDENTIFIER_COLUMNS),
  );
  return columns.filter((c) => IDENTIFIER_COLUMNS[c.table]?.includes(c.name));
}

async function alterIdentifierColumns(runner: QueryRunner, target: (table: string) => string): Promise<void> {
  const columns = await identifierColumns(runner);
  for (const table of Object.keys(IDENTIFIER_COLUMNS)) {
    const collation = target(table);
    const changes = columns
      .filter((c) => c.table === table && c.collation !== collation)
      .map((c) => `MODIFY \`${c.name}\` ${c.type} CHARACTER SET utf8mb4 COLLATE ${collation} ${c.nullable === 'YES' ? 'NULL' : 'NOT NULL'}`);
    if (changes.length > 0) await runner.query(`ALTER TABLE \`${table}\` ${changes.join(', ')}`);
  }
}
