/**
 * Write-path benchmark (issue 12): latency (p50/p99), throughput (ops/s of one client) and
 * database statements per operation of the session writes, on SQLite and PostgreSQL side by
 * side in one run, then refresh under 50 concurrent clients on PostgreSQL. Public API only.
 *
 *   create          createNewSessionWithoutRequestResponse (payload + one claim added on create)
 *   refresh         refreshSessionWithoutRequestResponse with the session's latest refresh token
 *   online merge    session.mergeIntoAccessTokenPayload (store merge + a new access token)
 *   offline merge   SessionService.mergeIntoAccessTokenPayload(handle, update)
 *   per-user merge  SessionService.mergeIntoAccessTokenPayloadForUser over a user's 10 sessions
 *   claim refetch   getSessionWithoutRequestResponse with a `hasValue(v, maxAge 0)` validator: verify,
 *                   fetch the claim, write it back, re-sign (what a guard does with a stale claim)
 *   signout         session.revokeSession()
 *
 *   npm run bench:writes                     (builds, then node build/bench/writes.js)
 *   node build/bench/writes.js --ops 300 --rounds 3 --databases sqlite,postgres --clients 50 --seconds 5 --out FILE
 *   --quick: 40 operations, 2 s of concurrent refresh. --keep keeps the PostgreSQL schema.
 *   --show-sql prints (to stderr) the statements of the last operation of every row.
 *
 * SQLite is a file in a temporary folder (the module's default driver, default journal mode),
 * PostgreSQL a fresh schema `bench_writes` on BENCH_POSTGRES_URL (else TEST_POSTGRES_URL, else
 * postgres://postgres@127.0.0.1:5432/test), TypeORM's default pool (10 connections). Each
 * operation runs in blocks alternating between the two databases, so both see the same machine
 * state. Statements are counted by a TypeORM logger (every statement, transaction control
 * included: each one is a round trip on PostgreSQL).
 */
import 'reflect-metadata';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { PrimitiveClaim, type SessionContainer, SessionModule, SessionService } from '../src';
import { flag, writeReport, hasFlag, listFlag, numberFlag, progress, QUICK } from './support/cli';
import { commandLine, machineLine, sourceVersion } from './support/machine';
import { StatementCounter } from './support/query-counter';
import { fmtFixed, fmtInt, median, percentile, Samples } from './support/stats';

const DATABASES = ['sqlite', 'postgres'] as const;
type Database = (typeof DATABASES)[number];

const OPS = Math.round(numberFlag('ops', QUICK ? 40 : 300));
const ROUNDS = Math.round(numberFlag('rounds', QUICK ? 2 : 3));
const DATABASE_LIST = listFlag('databases', DATABASES, DATABASES);
const CLIENTS = Math.round(numberFlag('clients', 50));
const CONCURRENT_SECONDS = numberFlag('seconds', QUICK ? 2 : 5);
const KEEP = hasFlag('keep');
const SHOW_SQL = hasFlag('show-sql');
const OUT = flag('out') || undefined;
const SCHEMA = 'bench_writes';
const POSTGRES_URL = new URL(process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
/** Sessions kept ready for the operations that reuse sessions (refresh, merges, claim refetch). */
const POOL = 50;
const SESSIONS_PER_USER = 10;

/** The claim refetched on every check (maxAge 0). */
const PlanClaim = new PrimitiveClaim<string>({ key: 'plan', fetchValue: () => 'pro' });

// ---- databases --------------------------------------------------------------------------------

/** The part of `pg`'s Client used here (`@types/pg` is not a dependency). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (config: { connectionString: string }) => PgClient };

async function postgresAdmin(sql: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_URL.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseOptions(database: Database, workDir: string, logger: StatementCounter): DataSourceOptions {
  if (database === 'sqlite') return { type: 'better-sqlite3', database: path.join(workDir, 'sessions.sqlite'), logger };
  return {
    type: 'postgres',
    host: POSTGRES_URL.hostname,
    port: Number(POSTGRES_URL.port || 5432),
    username: decodeURIComponent(POSTGRES_URL.username || 'postgres'),
    password: decodeURIComponent(POSTGRES_URL.password),
    database: POSTGRES_URL.pathname.replace(/^\//, '') || 'test',
    schema: SCHEMA,
    logger,
  };
}

// ---- one database under test ------------------------------------------------------------------

interface Bench {
  database: Database;
  app: INestApplicationContext;
  sessions: SessionService;
  counter: StatementCounter;
  /** Live sessions (online objects with their latest tokens) for refresh, merges and refetch. */
  pool: { session: SessionContainer; refreshToken: string }[];
  /** Users owning SESSIONS_PER_USER sessions each. */
  users: string[];
  /** Sessions waiting to be signed out. */
  toSignOut: SessionContainer[];
  created: number;
}

async function openBench(database: Database, workDir: string): Promise<Bench> {
  const counter = new StatementCounter();
  @Module({ imports: [SessionModule.forRoot({ database: databaseOptions(database, workDir, counter), cleanupInterval: 0 })] })
  class WritesBenchModule {}
  const app = await NestFactory.createApplicationContext(WritesBenchModule, { logger: false });
  const sessions = app.get(SessionService);
  const bench: Bench = { database, app, sessions, counter, pool: [], users: [], toSignOut: [], created: 0 };
  const create = (userId: string) => sessions.createNewSessionWithoutRequestResponse('public', userId, { name: 'Bench User' }, { device: 'bench' });
  for (let i = 0; i < POOL; i++) {
    const session = await create(`pool-user-${i}`);
    bench.pool.push({ session, refreshToken: session.getAllSessionTokensDangerously().refreshToken! });
  }
  for (let u = 0; u < POOL / 5; u++) {
    bench.users.push(`multi-user-${u}`);
    for (let s = 0; s < SESSIONS_PER_USER; s++) await create(`multi-user-${u}`);
  }
  for (let i = 0; i < OPS; i++) bench.toSignOut.push(await create(`signout-user-${i}`));
  return bench;
}

/** The operations, each `(bench, i) => work`; `i` counts the operation's calls on that database. */
const OPERATIONS: { name: string; run: (b: Bench, i: number) => Promise<unknown> }[] = [
  {
    name: 'create',
    run: (b) => b.sessions.createNewSessionWithoutRequestResponse('public', `new-user-${b.created++}`, { name: 'Bench User' }, { device: 'bench' }),
  },
  {
    name: 'refresh',
    run: async (b, i) => {
      const entry = b.pool[i % b.pool.length];
      const refreshed = await b.sessions.refreshSessionWithoutRequestResponse(entry.refreshToken);
      entry.refreshToken = refreshed.getAllSessionTokensDangerously().refreshToken!;
    },
  },
  { name: 'online merge (session.mergeIntoAccessTokenPayload)', run: (b, i) => b.pool[i % b.pool.length].session.mergeIntoAccessTokenPayload({ counter: i }) },
  { name: 'offline merge (by handle)', run: (b, i) => b.sessions.mergeIntoAccessTokenPayload(b.pool[i % b.pool.length].session.getHandle(), { offline: i }) },
  {
    name: `per-user merge (${SESSIONS_PER_USER} sessions)`,
    run: async (b, i) => {
      const merged = await b.sessions.mergeIntoAccessTokenPayloadForUser(b.users[i % b.users.length], { everywhere: i });
      if (merged !== SESSIONS_PER_USER) throw new Error(`per-user merge touched ${merged} sessions, not ${SESSIONS_PER_USER}`);
    },
  },
  {
    name: 'claim refetch (verify + fetch + write + re-sign)',
    run: async (b, i) => {
      const entry = b.pool[i % b.pool.length];
      entry.session = await b.sessions.getSessionWithoutRequestResponse(entry.session.getAccessToken(), undefined, {
        overrideGlobalClaimValidators: () => [PlanClaim.validators.hasValue('pro', 0)],
      });
    },
  },
  {
    name: 'signout (session.revokeSession)',
    run: (b) => {
      const session = b.toSignOut.pop();
      if (!session) throw new Error('no session left to sign out');
      return session.revokeSession();
    },
  },
];

interface OpStats {
  latencies: Samples;
  statements: number;
  count: number;
  statementsMin: number;
  statementsMax: number;
}

async function runBlock(bench: Bench, op: (typeof OPERATIONS)[number], from: number, to: number, stats: OpStats): Promise<void> {
  for (let i = from; i < to; i++) {
    const started = process.hrtime.bigint();
    const statements = await bench.counter.record(() => op.run(bench, i));
    stats.latencies.add(Number(process.hrtime.bigint() - started) / 1e6);
    stats.statements += statements;
    stats.statementsMin = Math.min(stats.statementsMin, statements);
    stats.statementsMax = Math.max(stats.statementsMax, statements);
    stats.count++;
  }
}

// ---- refresh under concurrency ------------------------------------------------------------------

interface ConcurrentResult {
  clients: number;
  ops: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
  statementsPerOp: number;
}

async function concurrentRefresh(bench: Bench, clients: number, seconds: number): Promise<ConcurrentResult> {
  const tokens: string[] = [];
  for (let c = 0; c < clients; c++) {
    const session = await bench.sessions.createNewSessionWithoutRequestResponse('public', `concurrent-user-${c}`, { name: 'Bench User' });
    tokens.push(session.getAllSessionTokensDangerously().refreshToken!);
  }
  const latencies = new Samples();
  let failures = 0;
  const statementsBefore = bench.counter.count;
  const started = process.hrtime.bigint();
  const end = started + BigInt(Math.round(seconds * 1e9));
  await Promise.all(
    tokens.map(async (token) => {
      while (process.hrtime.bigint() < end) {
        const t = process.hrtime.bigint();
        try {
          token = (await bench.sessions.refreshSessionWithoutRequestResponse(token)).getAllSessionTokensDangerously().refreshToken!;
          latencies.add(Number(process.hrtime.bigint() - t) / 1e6);
        } catch {
          failures++;
          return;
        }
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = latencies.sorted();
  return {
    clients,
    ops: latencies.count,
    opsPerSecond: latencies.count / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    failures,
    statementsPerOp: (bench.counter.count - statementsBefore) / Math.max(latencies.count, 1),
  };
}

// ---- report -------------------------------------------------------------------------------------

function report(stats: Map<string, OpStats>, concurrent: ConcurrentResult[], startedAt: Date, seconds: number): string {
  const lines = [
    `## Write paths, ${startedAt.toISOString()} (${sourceVersion()})${QUICK ? ' — QUICK MODE, not figures to quote' : ''}`,
    '',
    `Command: \`${commandLine('writes.js')}\``,
    '',
    `${machineLine()}; ${Math.round(seconds)} s in all. ${OPS} operations per row, one client (each operation awaited before the next), in ${ROUNDS} blocks alternating between the databases. ` +
      `SQLite: a file (better-sqlite3, default journal mode); PostgreSQL ${POSTGRES_URL.hostname}:${POSTGRES_URL.port || 5432}, schema ${SCHEMA}, pool of 10.`,
    '',
  ];
  const header = DATABASE_LIST.map((d) => (d === 'sqlite' ? 'SQLite' : 'PostgreSQL'));
  lines.push(
    `| Operation | ${header.map((h) => `${h} p50 ms | ${h} p99 ms | ${h} ops/s | ${h} statements/op`).join(' | ')} |`,
    `| --- | ${header.map(() => '---: | ---: | ---: | ---:').join(' | ')} |`,
  );
  for (const op of OPERATIONS) {
    const cells = DATABASE_LIST.map((database) => {
      const s = stats.get(`${database}/${op.name}`)!;
      const sorted = s.latencies.sorted();
      const total = sorted.reduce((a, b) => a + b, 0);
      const perOp = s.statements / s.count;
      const spread = s.statementsMin === s.statementsMax ? '' : ` (${s.statementsMin}–${s.statementsMax})`;
      return `${fmtFixed(percentile(sorted, 50))} | ${fmtFixed(percentile(sorted, 99))} | ${fmtInt((1000 * s.count) / total)} | ${fmtFixed(perOp, perOp % 1 ? 2 : 0)}${spread}`;
    });
    lines.push(`| ${op.name} | ${cells.join(' | ')} |`);
  }
  lines.push('', 'ops/s: operations ÷ the time spent in them, one at a time (1 ÷ mean latency). statements/op: mean, with the range when it varies.', '');
  if (concurrent.length > 0) {
    lines.push(
      `### Refresh under concurrency (PostgreSQL, ${CONCURRENT_SECONDS} s per row, each client refreshing its own session in a loop)`,
      '',
      '| Clients | refreshes | ops/s | p50 ms | p99 ms | failures | statements/op |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const c of concurrent) {
      lines.push(`| ${c.clients} | ${fmtInt(c.ops)} | ${fmtInt(c.opsPerSecond)} | ${fmtFixed(c.p50)} | ${fmtFixed(c.p99)} | ${c.failures} | ${fmtFixed(c.statementsPerOp, 2)} |`);
    }
    lines.push('');
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-writes-'));
  const benches: Bench[] = [];
  const usesPostgres = DATABASE_LIST.includes('postgres');
  try {
    if (usesPostgres) await postgresAdmin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
    for (const database of DATABASE_LIST) {
      progress(`${database}: preparing ${POOL + (POOL / 5) * SESSIONS_PER_USER + OPS} sessions`);
      benches.push(await openBench(database, workDir));
    }
    const stats = new Map<string, OpStats>();
    for (const op of OPERATIONS) {
      for (const bench of benches) {
        stats.set(`${bench.database}/${op.name}`, { latencies: new Samples(), statements: 0, count: 0, statementsMin: Infinity, statementsMax: 0 });
      }
      // Warm-up outside the figures (JIT, prepared plans), except for signout, which consumes sessions.
      if (op.name !== 'signout (session.revokeSession)') for (const bench of benches) for (let i = 0; i < 5; i++) await op.run(bench, OPS + i);
      const block = Math.ceil(OPS / ROUNDS);
      for (let from = 0; from < OPS; from += block) {
        for (const bench of benches) await runBlock(bench, op, from, Math.min(OPS, from + block), stats.get(`${bench.database}/${op.name}`)!);
      }
      if (SHOW_SQL) for (const bench of benches) progress(`${bench.database} ${op.name}:\n  ${bench.counter.recent.join('\n  ')}`);
      progress(`${op.name}: ${benches.map((b) => `${b.database} p50 ${fmtFixed(median(Array.from(stats.get(`${b.database}/${op.name}`)!.latencies.sorted())))} ms`).join(', ')}`);
    }
    const concurrent: ConcurrentResult[] = [];
    const postgres = benches.find((b) => b.database === 'postgres');
    if (postgres) {
      for (const clients of [1, CLIENTS]) {
        const result = await concurrentRefresh(postgres, clients, CONCURRENT_SECONDS);
        concurrent.push(result);
        progress(`refresh × ${clients} clients on PostgreSQL: ${fmtInt(result.opsPerSecond)} ops/s, p99 ${fmtFixed(result.p99)} ms`);
      }
    }
    const text = report(stats, concurrent, startedAt, (Date.now() - startedAt.getTime()) / 1000);
    writeReport(text, OUT);
  } finally {
    for (const bench of benches) await bench.app.close();
    if (usesPostgres && !KEEP) await postgresAdmin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
