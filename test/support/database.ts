import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { DataSourceOptions } from 'typeorm';

/**
 * Database options for one test app. Every e2e fixture takes its database from here, so the
 * same suite runs on each database of the matrix: `TEST_DB=sqlite` (default, in memory),
 * `postgres`, `mysql` or `mariadb` (the TypeORM driver type used against the MySQL-protocol
 * server; `scripts/test.js` picks the one matching the server it finds).
 *
 * Each call returns an isolated, empty database: SQLite in memory, a fresh PostgreSQL schema, a
 * fresh MySQL/MariaDB database. They are created synchronously (a short child process, as the
 * fixtures call this inside `SessionModule.forRoot(...)`), named `nst_<run>_<n>`, and dropped by
 * the jest global teardown of the run that made them; the global setup drops leftovers of runs
 * that died more than {@link STALE_AFTER_MS} ago (other runs on the same server are left alone).
 *
 * Servers: `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`) and
 * `TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/test`).
 */
export function testDatabaseOptions(): DataSourceOptions {
  const kind = testDatabaseKind();
  if (kind === 'sqlite') return { type: 'better-sqlite3', database: ':memory:' };
  const name = nextDatabaseName();
  const server = testServer(kind === 'postgres' ? 'postgres' : 'mysql');
  runAdmin({ action: 'create', server, names: [name] });
  if (kind === 'postgres') {
    return { ...connectionFields(server), type: 'postgres', schema: name, poolSize: 5 };
  }
  return { ...connectionFields(server), type: kind, database: name, poolSize: 5 };
}

/** The databases the matrix knows. */
export type TestDatabaseKind = 'sqlite' | 'postgres' | 'mysql' | 'mariadb';

/** The database this test process runs on (`TEST_DB`). */
export function testDatabaseKind(): TestDatabaseKind {
  const kind = (process.env.TEST_DB ?? 'sqlite').toLowerCase();
  if (kind === 'sqlite' || kind === 'postgres' || kind === 'mysql' || kind === 'mariadb') return kind;
  throw new Error(`TEST_DB must be sqlite, postgres, mysql or mariadb, not "${process.env.TEST_DB}"`);
}

/** A server of the matrix, parsed from its URL. */
export interface TestServer {
  protocol: 'postgres' | 'mysql';
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Connection settings of one server (`TEST_POSTGRES_URL` / `TEST_MYSQL_URL`). */
export function testServer(protocol: 'postgres' | 'mysql'): TestServer {
  const raw =
    protocol === 'postgres'
      ? (process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
      : (process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const url = new URL(raw);
  return {
    protocol,
    host: url.hostname,
    port: Number(url.port || (protocol === 'postgres' ? 5432 : 3306)),
    user: decodeURIComponent(url.username || (protocol === 'postgres' ? 'postgres' : 'root')),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, '') || 'test',
  };
}

function connectionFields(server: TestServer) {
  return { host: server.host, port: server.port, username: server.user, password: server.password, database: server.database };
}

/** Prefix of every schema/database the tests create. */
export const TEST_NAME_PREFIX = 'nst_';
/** Leftovers of dead runs older than this are dropped by the next run's global setup. */
export const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/**
 * The id of this test run: set by the jest global setup (so every worker shares it and the
 * teardown can drop exactly this run's databases), else one per process.
 */
export function testRunId(): string {
  if (!process.env.NEST_SESSION_TEST_RUN) process.env.NEST_SESSION_TEST_RUN = newTestRunId();
  return process.env.NEST_SESSION_TEST_RUN;
}

/** `<seconds since epoch, base 36>_<random>`: sortable by age, unique per run. */
export function newTestRunId(): string {
  return `${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** When the run that created a test database started (from its name), or undefined for foreign names. */
export function testNameCreatedAt(name: string): number | undefined {
  const match = /^nst_([0-9a-z]+)_[0-9a-f]+_/.exec(name);
  return match ? parseInt(match[1], 36) * 1000 : undefined;
}

// Jest loads this module afresh for every test file of a worker: the random token keeps the
// names of two files in one worker apart, the counter those of one file.
const moduleToken = randomBytes(3).toString('hex');
let counter = 0;
function nextDatabaseName(): string {
  return `${TEST_NAME_PREFIX}${testRunId()}_${process.env.JEST_WORKER_ID ?? 0}_${moduleToken}_${++counter}`;
}

/** What the admin child does: create or drop schemas (PostgreSQL) / databases (MySQL). */
export interface AdminRequest {
  action: 'create' | 'drop' | 'list';
  server: TestServer;
  names: string[];
}

const ADMIN_SCRIPT = `
const request = JSON.parse(process.argv[1]);
const { action, server, names } = request;
const valid = (n) => /^[a-z0-9_]+$/.test(n);
if (!names.every(valid)) throw new Error('bad test database name');
(async () => {
  let out = [];
  if (server.protocol === 'postgres') {
    const { Client } = require('pg');
    const client = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      for (const n of names) {
        if (action === 'create') await client.query('CREATE SCHEMA "' + n + '"');
        if (action === 'drop') await client.query('DROP SCHEMA IF EXISTS "' + n + '" CASCADE');
      }
      if (action === 'list') out = (await client.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'nst\\\\_%'")).rows.map((r) => r.nspname);
    } finally { await client.end(); }
  } else {
    const mysql = require('mysql2/promise');
    const conn = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, connectTimeout: 5000 });
    try {
      for (const n of names) {
        if (action === 'create') await conn.query('CREATE DATABASE \`' + n + '\`');
        if (action === 'drop') await conn.query('DROP DATABASE IF EXISTS \`' + n + '\`');
      }
      if (action === 'list') out = (await conn.query("SHOW DATABASES LIKE 'nst\\\\_%'"))[0].map((r) => Object.values(r)[0]);
    } finally { await conn.end(); }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

/** Runs one admin request synchronously in a child process; returns the listed names. */
export function runAdmin(request: AdminRequest): string[] {
  try {
    const out = execFileSync(process.execPath, ['-e', ADMIN_SCRIPT, JSON.stringify(request)], {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // Dropping a run's hundreds of databases is slow on a loaded MariaDB: give drops minutes.
      timeout: request.action === 'drop' ? 600_000 : 60_000,
    });
    return JSON.parse(out || '[]');
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    throw new Error(`test database ${request.action} on ${request.server.protocol}://${request.server.host}:${request.server.port} failed: ${stderr || error}`);
  }
}

/**
 * Drops the test databases of this run and those of runs that started more than
 * {@link STALE_AFTER_MS} ago, on the server `TEST_DB` points at (jest global setup/teardown).
 */
export function dropTestDatabases(which: 'this-run' | 'stale'): number {
  const kind = testDatabaseKind();
  if (kind === 'sqlite') return 0;
  const server = testServer(kind === 'postgres' ? 'postgres' : 'mysql');
  const run = process.env.NEST_SESSION_TEST_RUN;
  const names = runAdmin({ action: 'list', server, names: [] }).filter((name) => {
    if (which === 'this-run') return run !== undefined && name.startsWith(`${TEST_NAME_PREFIX}${run}_`);
    const createdAt = testNameCreatedAt(name);
    return createdAt !== undefined && Date.now() - createdAt > STALE_AFTER_MS;
  });
  if (names.length > 0) runAdmin({ action: 'drop', server, names });
  return names.length;
}
