/**
 * Scale benchmark (issue 6, item 7): refresh, offline merge and getAllSessionHandlesForUser
 * latency on a PostgreSQL sessions table of 10,000 rows and of 1,000,000 rows, side by side in
 * one run. Not a test: a script that prints a table (median, p99, ratio 1M/10k).
 *
 *   npm run bench:scale                      (builds, then node build/bench/scale.js)
 *   npx ts-node --transpile-only bench/scale.ts
 *
 * It creates a dedicated database (`bench_scale`, dropped at the end unless `--keep`) with two
 * schemas, one per table size, each migrated by the module itself (its own DataSource). Rows are
 * bulk-loaded with batched multi-row INSERTs (`INSERT ... SELECT FROM unnest(...)`, 10,000 rows a
 * statement) in a realistic shape: many users with a few sessions, some heavy users with
 * hundreds, tenants, creation and expiry times spread over the refresh-token lifetime, ~5% of
 * rows expired but not yet cleaned up, every bigint/JSON column filled like the module fills it.
 * Refresh tokens of the loaded rows are real (`{handle}.{generation}.{secret}`, hashes as the
 * module stores them), so a random sample of old rows can be refreshed too, not only sessions
 * created during the run.
 *
 * Latency is measured one operation at a time (no concurrency), alternating blocks of operations
 * between the two tables so that both see the same machine state.
 *
 * Environment / arguments:
 *   BENCH_POSTGRES_URL (else TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test)
 *   --large N (1000000)  --small N (10000)  --ops N (2000 per operation)  --keep  --database NAME
 */
import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { DataSource } from 'typeorm';
import { SESSION_DATA_SOURCE, SessionEntity, SessionModule, SessionService } from '../src';
import { formatRefreshToken, refreshTokenStorageHash } from './internal';

/** The part of `pg`'s Client this script uses (`pg` ships no types and `@types/pg` is not a dependency). */
interface Client {
  connect(): Promise<void>;
  query(sql: string, parameters?: unknown[]): Promise<{ rows: Record<string, any>[] }>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (config: Record<string, unknown>) => Client };

// ---- settings ---------------------------------------------------------------------------------

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
function argString(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const LARGE = arg('large', 1_000_000);
const SMALL = arg('small', 10_000);
const OPS = arg('ops', 2000);
const WARMUP = Math.min(200, Math.ceil(OPS / 10));
const BLOCK = 100;
const KEEP = process.argv.includes('--keep');
const DATABASE = argString('database', 'bench_scale');
const SERVER_URL = new URL(process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const REFRESH_VALIDITY_MS = 100 * 24 * 3600 * 1000;
const BATCH = 10_000;
/** Users of the sample sessions created through the service; each gets SESSIONS_PER_SAMPLE_USER sessions. */
const SESSIONS_PER_SAMPLE_USER = 5;
/** One heavy user with this many sessions in both tables (getAllSessionHandlesForUser on a long list). */
const HEAVY_USER_SESSIONS = 1000;

if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE)) throw new Error(`--database must be a plain identifier, not ${DATABASE}`);

const connection = {
  host: SERVER_URL.hostname,
  port: Number(SERVER_URL.port || 5432),
  user: decodeURIComponent(SERVER_URL.username || 'postgres'),
  password: decodeURIComponent(SERVER_URL.password),
};
const adminDatabase = SERVER_URL.pathname.replace(/^\//, '') || 'postgres';

const startedAt = Date.now();
function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

// ---- one table size ------------------------------------------------------------------------------

/** A refresh token the script knows, for a session in the table. */
interface KnownSession {
  handle: string;
  userId: string;
  refreshToken: string;
}

interface Table {
  label: string;
  schema: string;
  rows: number;
  app?: INestApplicationContext;
  sessions?: SessionService;
  dataSource?: DataSource;
  /** Sessions created through SessionService during the run (warm-up + measured). */
  created: KnownSession[];
  /** Bulk-loaded, unexpired sessions picked at random, with their refresh tokens. */
  prefilled: KnownSession[];
  sampleUsers: string[];
  heavyUser: string;
  loadSeconds?: number;
  sizeOnDisk?: string;
}

async function openApp(schema: string): Promise<INestApplicationContext> {
  @Module({
    imports: [
      SessionModule.forRoot({
        database: { type: 'postgres', ...connection, username: connection.user, database: DATABASE, schema, poolSize: 4 },
        cleanupInterval: 0,
        // Claims are written into the loaded payloads directly; no role lookups at creation.
        userRoles: { addRolesToSession: false, addPermissionsToSession: false },
      }),
    ],
  })
  class ScaleBenchModule {}
  return NestFactory.createApplicationContext(ScaleBenchModule, { logger: ['error', 'warn'] });
}

/** Deterministic pseudo-random numbers (mulberry32), so both tables get the same shape. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLUMNS = [
  'session_handle',
  'user_id',
  'tenant_id',
  'refresh_hash',
  'refresh_generation',
  'refresh_salt',
  'rotated_at',
  'anti_csrf_token',
  'access_token_payload',
  'session_data',
  'payload_version',
  'created_at',
  'expires_at',
] as const;

/**
 * Bulk-loads `count` sessions into the table: ~88% of rows belong to ordinary users (about 3
 * sessions each), ~10% to heavy users (about 500 each: shared accounts, kiosks, API clients), and
 * one marked heavy user gets exactly {@link HEAVY_USER_SESSIONS}. Creation times spread over the
 * refresh-token lifetime; ~5% of rows are expired (awaiting cleanup).
 */
async function bulkLoad(client: Client, table: Table, count: number, pickEvery: number): Promise<void> {
  const random = rng(count);
  const now = Date.now();
  const ordinaryUsers = Math.max(1, Math.round((count * 0.88) / 3));
  const heavyUsers = Math.max(1, Math.round((count * 0.1) / 500));
  const path = `"${table.schema}"."nest_session_sessions"`;
  const casts = ['varchar', 'varchar', 'varchar', 'varchar', 'int', 'varchar', 'bigint', 'varchar', 'json', 'json', 'int', 'bigint', 'bigint'];
  const sql =
    `INSERT INTO ${path} (${COLUMNS.join(', ')}) SELECT ` +
    COLUMNS.map((_, i) => `c${i}::${casts[i]}`).join(', ') +
    ` FROM unnest(${COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS t(${COLUMNS.map((_, i) => `c${i}`).join(', ')})`;

  let inserted = 0;
  let pending: Promise<unknown> | undefined;
  // The marked heavy user's sessions are spread evenly through the load and never expired.
  const heavyStride = Math.max(1, Math.floor(count / HEAVY_USER_SESSIONS));
  let heavyLeft = HEAVY_USER_SESSIONS;
  const started = Date.now();
  while (inserted < count) {
    const n = Math.min(BATCH, count - inserted);
    const columns: (string | null)[][] = COLUMNS.map(() => new Array(n));
    const secrets = randomBytes(64 * n);
    for (let j = 0; j < n; j++) {
      const index = inserted + j;
      const r = random();
      let userId: string;
      let tenantId = 'public';
      let expired = random() < 0.05;
      if (heavyLeft > 0 && index % heavyStride === 0) {
        userId = table.heavyUser;
        heavyLeft--;
        expired = false;
      } else if (r < 0.1) {
        userId = `heavy-${Math.floor(random() * heavyUsers)}`;
      } else {
        userId = `user-${Math.floor(random() * ordinaryUsers)}`;
        if (random() < 0.1) tenantId = `tenant-${Math.floor(random() * 20)}`;
      }
      const handle = randomUUID();
      const secret = secrets.subarray(64 * j, 64 * j + 32).toString('base64url');
      const salt = secrets.subarray(64 * j + 32, 64 * j + 64).toString('base64url');
      const generation = Math.floor(random() * random() * 200);
      const token = formatRefreshToken({ sessionHandle: handle, generation, secret });
      // Last refreshed within the refresh-token lifetime (active users often, others weeks ago),
      // created up to 60 days before that; ~5% expired in the last 5 days, awaiting cleanup.
      const expiresAt = expired ? now - 1 - Math.floor(random() * 5 * 24 * 3600 * 1000) : 0;
      const rotatedAt = expired ? expiresAt - REFRESH_VALIDITY_MS : now - Math.floor(random() * random() * REFRESH_VALIDITY_MS);
      const createdAt = rotatedAt - Math.floor(random() * 60 * 24 * 3600 * 1000);
      const sessionExpiresAt = expired ? expiresAt : rotatedAt + REFRESH_VALIDITY_MS;
      const fetchedAt = rotatedAt - Math.floor(random() * 3600_000);
      const payload = {
        'st-role': { v: random() < 0.05 ? ['admin', 'user'] : ['user'], t: fetchedAt },
        'st-perm': { v: ['read', 'write'], t: fetchedAt },
        plan: random() < 0.2 ? 'pro' : 'free',
        locale: 'en',
      };
      const values = [
        handle,
        userId,
        tenantId,
        refreshTokenStorageHash(token),
        String(generation),
        salt,
        String(rotatedAt),
        null,
        JSON.stringify(payload),
        random() < 0.3 ? JSON.stringify({ ip: `10.${j % 256}.${(j >> 8) % 256}.1`, device: 'browser' }) : '{}',
        String(1 + Math.floor(random() * 3)),
        String(createdAt),
        String(sessionExpiresAt),
      ];
      for (let c = 0; c < COLUMNS.length; c++) columns[c][j] = values[c];
      if (!expired && index % pickEvery === 0) table.prefilled.push({ handle, userId, refreshToken: token });
    }
    // Generate the next batch while this one is written.
    await pending;
    pending = client.query(sql, columns);
    inserted += n;
    if (inserted % 100_000 === 0 || inserted === count) {
      const rate = Math.round(inserted / ((Date.now() - started) / 1000));
      progress(`${table.label}: ${inserted.toLocaleString('en-US')} / ${count.toLocaleString('en-US')} rows loaded (${rate.toLocaleString('en-US')} rows/s)`);
    }
  }
  await pending;
}

/** Sessions created through the service: sample users with a few sessions each (same in both tables). */
async function createSampleSessions(table: Table, count: number): Promise<void> {
  const users = count / SESSIONS_PER_SAMPLE_USER;
  table.sampleUsers = Array.from({ length: users }, (_, i) => `sample-${i}`);
  const queue = Array.from({ length: count }, (_, i) => i);
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const userId = table.sampleUsers[i % users];
      const session = await table.sessions!.createNewSessionWithoutRequestResponse('public', userId, { plan: 'free', locale: 'en' }, { device: 'bench' }, true);
      table.created[i] = { handle: session.getHandle(), userId, refreshToken: session.getAllSessionTokensDangerously().refreshToken! };
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

// ---- measurement -------------------------------------------------------------------------------

type Operation = {
  name: string;
  /** Runs operation number `i` (0-based; warm-up first, then measured) on a table. */
  run: (table: Table, i: number) => Promise<unknown>;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

interface Measured {
  operation: string;
  small: { median: number; p99: number; mean: number };
  large: { median: number; p99: number; mean: number };
}

/** Warm-up, then OPS measured operations per table, alternating blocks of {@link BLOCK} between the tables. */
async function measure(op: Operation, small: Table, large: Table): Promise<Measured> {
  const samples = new Map<Table, number[]>([
    [small, []],
    [large, []],
  ]);
  for (const table of [small, large]) for (let i = 0; i < WARMUP; i++) await op.run(table, i);
  for (let block = 0; block * BLOCK < OPS; block++) {
    const order = block % 2 === 0 ? [small, large] : [large, small];
    for (const table of order) {
      const into = samples.get(table)!;
      for (let k = 0; k < BLOCK && block * BLOCK + k < OPS; k++) {
        const i = WARMUP + block * BLOCK + k;
        const t0 = process.hrtime.bigint();
        await op.run(table, i);
        into.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
  }
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { median: percentile(sorted, 50), p99: percentile(sorted, 99), mean: values.reduce((a, b) => a + b, 0) / values.length };
  };
  const result = { operation: op.name, small: stats(samples.get(small)!), large: stats(samples.get(large)!) };
  progress(`${op.name}: median ${result.small.median.toFixed(2)} ms (${short(small.rows)}) vs ${result.large.median.toFixed(2)} ms (${short(large.rows)})`);
  return result;
}

function expectOk<T>(value: T, what: string): T {
  if (value === undefined || value === null || value === false) throw new Error(`${what} failed`);
  return value;
}

const OPERATIONS: Operation[] = [
  {
    name: 'refresh (session created in this run)',
    run: async (table, i) => {
      const known = table.created[i];
      const session = await table.sessions!.refreshSessionWithoutRequestResponse(known.refreshToken, true);
      known.refreshToken = expectOk(session.getAllSessionTokensDangerously().refreshToken, 'refresh')!;
    },
  },
  {
    name: 'refresh (random pre-loaded session)',
    run: async (table, i) => {
      const known = table.prefilled[i];
      const session = await table.sessions!.refreshSessionWithoutRequestResponse(known.refreshToken, true);
      known.refreshToken = expectOk(session.getAllSessionTokensDangerously().refreshToken, 'refresh')!;
    },
  },
  {
    name: 'mergeIntoAccessTokenPayload (offline)',
    run: async (table, i) => {
      const known = i % 2 === 0 ? table.created[i] : table.prefilled[i];
      expectOk(await table.sessions!.mergeIntoAccessTokenPayload(known.handle, { plan: i % 3 === 0 ? 'pro' : 'team', seats: i }), 'merge');
    },
  },
  {
    name: `getAllSessionHandlesForUser (${SESSIONS_PER_SAMPLE_USER} sessions)`,
    run: async (table, i) => {
      const handles = await table.sessions!.getAllSessionHandlesForUser(table.sampleUsers[i % table.sampleUsers.length]);
      if (handles.length !== SESSIONS_PER_SAMPLE_USER) throw new Error(`expected ${SESSIONS_PER_SAMPLE_USER} handles, got ${handles.length}`);
    },
  },
  {
    name: `getAllSessionHandlesForUser (${HEAVY_USER_SESSIONS} sessions)`,
    run: async (table) => {
      const handles = await table.sessions!.getAllSessionHandlesForUser(table.heavyUser);
      if (handles.length !== HEAVY_USER_SESSIONS) throw new Error(`expected ${HEAVY_USER_SESSIONS} handles, got ${handles.length}`);
    },
  },
];

/** Plans of the statements behind the measured operations, on the large table. */
async function explain(client: Client, table: Table): Promise<string[]> {
  const path = `"${table.schema}"."nest_session_sessions"`;
  const known = table.prefilled[table.prefilled.length - 1];
  const now = Date.now();
  const generation = Number(
    (await client.query(`SELECT refresh_generation FROM ${path} WHERE session_handle = $1`, [known.handle])).rows[0].refresh_generation,
  );
  const statements: [string, string, unknown[]][] = [
    ['find by handle (refresh, checkDatabase)', `SELECT * FROM ${path} WHERE session_handle = $1 AND expires_at > $2 LIMIT 1`, [known.handle, now]],
    [
      'rotate (compare-and-set)',
      `UPDATE ${path} SET refresh_hash = 'x', refresh_generation = refresh_generation + 1, rotated_at = $3, expires_at = $3 WHERE session_handle = $1 AND refresh_generation = $2 AND expires_at > $3`,
      [known.handle, generation, now],
    ],
    [
      'offline merge',
      `UPDATE ${path} SET access_token_payload = ((access_token_payload::jsonb - $2::text[]) || $3::jsonb)::json, payload_version = payload_version + 1 WHERE session_handle = $1 AND expires_at > $4`,
      [known.handle, [], '{"plan":"pro"}', now],
    ],
    ['handles of a user', `SELECT session_handle FROM ${path} WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at ASC`, [table.heavyUser, now]],
  ];
  const lines: string[] = [];
  for (const [label, sql, params] of statements) {
    await client.query('BEGIN');
    try {
      const result = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`, params);
      lines.push(`  ${label}:`);
      for (const row of result.rows) lines.push(`    ${row['QUERY PLAN']}`);
    } finally {
      await client.query('ROLLBACK');
    }
  }
  return lines;
}

/** Heap pages PostgreSQL reads to list the marked heavy user's handles (data locality, not index depth). */
async function heavyUserHeapBlocks(client: Client, table: Table): Promise<number> {
  const result = await client.query(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT session_handle FROM "${table.schema}"."nest_session_sessions" WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at ASC`,
    [table.heavyUser, Date.now()],
  );
  const line = result.rows.map((r) => String(r['QUERY PLAN'])).find((l) => l.includes('Heap Blocks'));
  return Number(/exact=(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

// ---- main -------------------------------------------------------------------------------------

/** 10000 → 10k, 1000000 → 1M. */
function short(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

function fmt(ms: number): string {
  return ms.toFixed(2).padStart(8);
}

async function main(): Promise<void> {
  // Sessions created through the service: one per refresh operation, a multiple of the sample users' size.
  const createdNeeded = Math.ceil((WARMUP + OPS) / SESSIONS_PER_SAMPLE_USER) * SESSIONS_PER_SAMPLE_USER;
  const small: Table = { label: '10k', schema: 's_small', rows: SMALL, created: [], prefilled: [], sampleUsers: [], heavyUser: 'heavy-marked' };
  const large: Table = { label: '1M', schema: 's_large', rows: LARGE, created: [], prefilled: [], sampleUsers: [], heavyUser: 'heavy-marked' };
  small.label = SMALL.toLocaleString('en-US');
  large.label = LARGE.toLocaleString('en-US');
  const tables = [small, large];

  const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const admin = new Client({ ...connection, database: adminDatabase });
  await admin.connect();
  const serverVersion = (await admin.query('SHOW server_version')).rows[0].server_version as string;
  const sharedBuffers = (await admin.query('SHOW shared_buffers')).rows[0].shared_buffers as string;
  progress(`PostgreSQL ${serverVersion} at ${connection.host}:${connection.port}; (re)creating database ${DATABASE}`);
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  let bench: Client | undefined;
  try {
    bench = new Client({ ...connection, database: DATABASE });
    await bench.connect();
    for (const table of tables) await bench.query(`CREATE SCHEMA ${table.schema}`);

    // The module creates its tables itself: its own DataSource runs the shipped migrations.
    for (const table of tables) {
      table.app = await openApp(table.schema);
      table.sessions = table.app.get(SessionService);
      table.dataSource = table.app.get<DataSource>(SESSION_DATA_SOURCE);
      if (!table.dataSource.hasMetadata(SessionEntity)) throw new Error('no session entity');
    }
    progress('schemas migrated by SessionModule');

    for (const table of tables) {
      const bulk = table.rows - createdNeeded;
      if (bulk < createdNeeded * 2) throw new Error(`--${table === small ? 'small' : 'large'} must be at least ${createdNeeded * 3}`);
      // Pick about 3× the needed pre-loaded sessions at random positions (some are lost to expiry).
      const pickEvery = Math.max(1, Math.floor(bulk / (createdNeeded * 3)));
      const t0 = Date.now();
      await bulkLoad(bench, table, bulk, pickEvery);
      // Shuffle so the measured sample is spread over the whole table, then keep what is needed.
      const random = rng(7);
      for (let i = table.prefilled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [table.prefilled[i], table.prefilled[j]] = [table.prefilled[j], table.prefilled[i]];
      }
      table.prefilled.length = Math.min(table.prefilled.length, createdNeeded);
      if (table.prefilled.length < createdNeeded) throw new Error(`only ${table.prefilled.length} pre-loaded sessions picked`);
      progress(`${table.label}: creating ${createdNeeded} sessions through SessionService`);
      await createSampleSessions(table, createdNeeded);
      progress(`${table.label}: VACUUM ANALYZE (what autovacuum does after a bulk load)`);
      await bench.query(`VACUUM ANALYZE "${table.schema}"."nest_session_sessions"`);
      table.loadSeconds = (Date.now() - t0) / 1000;
      const count = Number((await bench.query(`SELECT count(*) AS n FROM "${table.schema}"."nest_session_sessions"`)).rows[0].n);
      table.sizeOnDisk = (await bench.query(`SELECT pg_size_pretty(pg_total_relation_size('"${table.schema}"."nest_session_sessions"')) AS s`)).rows[0].s;
      progress(`${table.label}: ${count.toLocaleString('en-US')} rows, ${table.sizeOnDisk} with indexes, loaded in ${table.loadSeconds.toFixed(1)} s`);
      table.rows = count;
    }

    const results: Measured[] = [];
    for (const op of OPERATIONS) {
      progress(`measuring ${op.name}: ${WARMUP} warm-up + ${OPS} operations per table`);
      results.push(await measure(op, small, large));
    }
    const plans = await explain(bench, large);
    const heapBlocks = [await heavyUserHeapBlocks(bench, small), await heavyUserHeapBlocks(bench, large)];

    const out: string[] = [];
    out.push(`Scale benchmark: SessionService on PostgreSQL, ${small.rows.toLocaleString('en-US')} vs ${large.rows.toLocaleString('en-US')} sessions`);
    out.push(
      `PostgreSQL ${serverVersion} (shared_buffers ${sharedBuffers}), Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), ` +
        `load average at start ${loadAtStart}, ${new Date().toISOString()}`,
    );
    out.push(
      `Tables: ${small.rows.toLocaleString('en-US')} rows (${small.sizeOnDisk}) and ${large.rows.toLocaleString('en-US')} rows (${large.sizeOnDisk}), ` +
        `loaded in ${small.loadSeconds!.toFixed(1)} s and ${large.loadSeconds!.toFixed(1)} s; ~5% expired rows awaiting cleanup; VACUUM ANALYZE after load.`,
    );
    out.push(`Latency per operation in ms, one at a time, ${OPS} measured operations per table after ${WARMUP} warm-up, tables alternating every ${BLOCK}.`);
    out.push('');
    const [S, L] = [short(small.rows), short(large.rows)];
    const head =
      `${'operation'.padEnd(46)} | ${`${S} median`.padStart(10)} | ${`${S} p99`.padStart(8)} | ${`${L} median`.padStart(10)} | ${`${L} p99`.padStart(8)} | ` +
      `${'ratio median'.padStart(12)} | ${'ratio p99'.padStart(9)}`;
    out.push(`Ratio = ${L} / ${S}.`);
    out.push(head);
    out.push('-'.repeat(head.length));
    for (const r of results) {
      out.push(
        `${r.operation.padEnd(46)} | ${fmt(r.small.median).padStart(10)} | ${fmt(r.small.p99)} | ${fmt(r.large.median).padStart(10)} | ${fmt(r.large.p99)} | ` +
          `${(r.large.median / r.small.median).toFixed(2).padStart(11)}× | ${(r.large.p99 / r.small.p99).toFixed(2).padStart(8)}×`,
      );
    }
    out.push('');
    const refreshRatios = results.filter((r) => r.operation.startsWith('refresh')).map((r) => r.large.median / r.small.median);
    const worst = Math.max(...refreshRatios);
    out.push(
      `Refresh at ${large.rows.toLocaleString('en-US')} vs ${small.rows.toLocaleString('en-US')} rows: worst median ratio ${worst.toFixed(2)}× ` +
        `(target ≤ 1.5×): ${worst <= 1.5 ? 'OK' : 'NOT MET'}`,
    );
    out.push(
      `Listing the ${HEAVY_USER_SESSIONS}-session user reads ${heapBlocks[0]} heap pages on the ${S} table and ${heapBlocks[1]} on the ${L} table ` +
        `(its rows are spread over more pages in the bigger table; the index lookup itself stays at a few pages, see the plans).`,
    );
    out.push('');
    out.push(`Plans on the ${large.rows.toLocaleString('en-US')}-row table (EXPLAIN ANALYZE, rolled back):`);
    out.push(...plans);
    out.push('');
    out.push(`Total run time ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`);
    process.stdout.write(out.join('\n') + '\n');
    if (worst > 1.5) process.exitCode = 2;
  } finally {
    for (const table of tables) await table.app?.close().catch(() => undefined);
    await bench?.end().catch(() => undefined);
    if (KEEP) {
      progress(`kept database ${DATABASE} (--keep)`);
    } else {
      await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`).catch((e: Error) => progress(`could not drop ${DATABASE}: ${e.message}`));
      progress(`dropped database ${DATABASE}`);
    }
    await admin.end();
  }
}

main().catch((error) => {
  new Logger('bench:scale').error((error as Error)?.stack ?? String(error));
  process.exit(1);
});
