#!/usr/bin/env node
// `npm test`: the database matrix.
//
//   1. unit + e2e suites on SQLite (in memory);
//   2. the e2e suites (test/e2e) again on PostgreSQL and on MySQL/MariaDB, each if it answers;
//   3. the combined totals, last, as `N passed, N failed`.
// Each leg runs the latency-bound specs (jest.config.ts) after the others, with one worker.
//
// TEST_DATABASES=sqlite,postgres,mysql picks the databases and makes each of them mandatory (an
// unreachable one fails the run); without it SQLite runs and the others run when they answer,
// and the run says which it skipped. Servers: TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/test), TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306/test).
// Extra arguments go to every jest run (e.g. a path filter: `npm test -- refresh`).
// TEST_NEST=12 runs the same matrix on Nest 12 + TypeORM 1 (jest.nest12.config.ts, packages from
// test/nest12/, installed with `npm install --prefix test/nest12`).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const JEST = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const KNOWN = ['sqlite', 'postgres', 'mysql'];
const PROBE_TIMEOUT_MS = 3000;
const E2E_ONLY = 'test/e2e/.*\\.e2e-spec\\.ts$';
const NEST = (process.env.TEST_NEST || '11').trim();
if (NEST !== '11' && NEST !== '12') {
  console.error(`TEST_NEST: unknown Nest major ${NEST} (known: 11, 12)`);
  process.exit(2);
}
const NEST_ARGS = NEST === '12' ? ['--config', path.join(ROOT, 'jest.nest12.config.ts')] : [];
const NEST_LABEL = NEST === '12' ? 'Nest 12 + TypeORM 1, ' : '';

function parseList(value) {
  const list = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((s) => (s === 'mariadb' ? 'mysql' : s));
  const unknown = list.filter((s) => !KNOWN.includes(s));
  if (unknown.length > 0) {
    console.error(`TEST_DATABASES: unknown database(s) ${unknown.join(', ')} (known: ${KNOWN.join(', ')})`);
    process.exit(2);
  }
  return [...new Set(list)];
}

function server(url, fallbackPort) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || fallbackPort),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, '') || 'test',
  };
}

/** Resolves to `{ ok: true, testDb }` or `{ ok: false, reason }`; never hangs longer than the timeout. */
async function probe(db) {
  const withTimeout = (promise) =>
    Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS).unref())]);
  try {
    if (db === 'postgres') {
      const s = server(process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test', 5432);
      const { Client } = require('pg');
      const client = new Client({ ...s, user: s.user || 'postgres', connectionTimeoutMillis: PROBE_TIMEOUT_MS });
      try {
        await withTimeout(client.connect());
        const { rows } = await withTimeout(client.query('SELECT version() AS v'));
        return { ok: true, testDb: 'postgres', version: rows[0].v.split(' ').slice(0, 2).join(' ') };
      } finally {
        client.end().catch(() => undefined);
      }
    }
    const s = server(process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test', 3306);
    const mysql = require('mysql2/promise');
    const conn = await withTimeout(mysql.createConnection({ ...s, user: s.user || 'root', connectTimeout: PROBE_TIMEOUT_MS }));
    try {
      const [rows] = await withTimeout(conn.query('SELECT VERSION() AS v'));
      const version = String(rows[0].v);
      // TypeORM's `mariadb` driver type for a MariaDB server, `mysql` for MySQL.
      return { ok: true, testDb: /mariadb/i.test(version) ? 'mariadb' : 'mysql', version: /mariadb/i.test(version) ? `MariaDB ${version}` : `MySQL ${version}` };
    } finally {
      conn.end().catch(() => undefined);
    }
  } catch (error) {
    return { ok: false, reason: error && error.message ? error.message : String(error) };
  }
}

/** Failures in a jest JSON report: failed tests, plus suites that failed without a failed test (load errors). */
function summarise(reportFile) {
  if (!fs.existsSync(reportFile)) return { passed: 0, failed: 1, note: 'jest wrote no results' };
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const brokenSuites = (report.testResults || []).filter(
    (suite) => suite.status === 'failed' && !(suite.assertionResults || []).some((t) => t.status === 'failed'),
  ).length;
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenSuites, skipped: report.numPendingTests + report.numTodoTests, brokenSuites };
}

function runJest(label, testDb, extraArgs, reportFile, phase) {
  const workers = phase === 'apart' ? ['--maxWorkers=1', '--passWithNoTests'] : ['--maxWorkers=2'];
  const args = [JEST, ...NEST_ARGS, ...workers, '--json', `--outputFile=${reportFile}`, ...extraArgs, ...process.argv.slice(2)];
  console.log(`\n=== ${label}: jest ${args.slice(1).join(' ')} (TEST_DB=${testDb}, TEST_PHASE=${phase})\n`);
  const started = Date.now();
  const env = { ...process.env, TEST_DB: testDb, TEST_MATRIX: '1', TEST_PHASE: phase };
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env });
  const seconds = (Date.now() - started) / 1000;
  const summary = summarise(reportFile);
  if (result.status !== 0 && summary.failed === 0) {
    summary.failed = 1;
    summary.note = `jest exited with ${result.status ?? result.signal}`;
  }
  return { label, seconds, ...summary };
}

async function main() {
  if (NEST === '12' && !fs.existsSync(path.join(ROOT, 'test', 'nest12', 'node_modules', '@nestjs', 'core'))) {
    console.error('TEST_NEST=12 needs the Nest 12 packages: npm install --prefix test/nest12');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const explicit = process.env.TEST_DATABASES !== undefined && process.env.TEST_DATABASES.trim() !== '';
  const wanted = explicit ? parseList(process.env.TEST_DATABASES) : KNOWN;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-test-'));
  const runs = [];
  const problems = [];
  const skipped = [];

  // A leg is two jest runs: every suite but the latency-bound ones on two workers, then those
  // (jest.config.ts, LATENCY_BOUND_SPECS) on one, so no other suite shares the cores with them.
  const runLeg = (label, testDb, extraArgs, name) => {
    runs.push(runJest(label, testDb, extraArgs, path.join(tmp, `${name}.json`), 'rest'));
    runs.push(runJest(`${label}, latency-bound specs alone`, testDb, extraArgs, path.join(tmp, `${name}-apart.json`), 'apart'));
  };

  const probes = {};
  await Promise.all(wanted.filter((db) => db !== 'sqlite').map(async (db) => (probes[db] = await probe(db))));

  for (const db of wanted) {
    if (db === 'sqlite') {
      runLeg(`${NEST_LABEL}sqlite (unit + e2e)`, 'sqlite', [], 'sqlite');
      continue;
    }
    const answer = probes[db];
    if (!answer.ok) {
      if (explicit) problems.push(`${db} is required by TEST_DATABASES but unreachable: ${answer.reason}`);
      else skipped.push(`${db} (${answer.reason})`);
      continue;
    }
    runLeg(`${NEST_LABEL}${db} (${answer.version}, e2e)`, answer.testDb, [`--testRegex=${E2E_ONLY}`], db);
  }
  fs.rmSync(tmp, { recursive: true, force: true });

  console.log('\n=== database matrix');
  for (const run of runs) {
    const extra = [run.skipped ? `${run.skipped} skipped` : '', run.brokenSuites ? `${run.brokenSuites} suite(s) failed to run` : '', run.note || '']
      .filter(Boolean)
      .join(', ');
    console.log(`  ${run.label}: ${run.passed} passed, ${run.failed} failed${extra ? ` (${extra})` : ''} in ${run.seconds.toFixed(1)} s`);
  }
  if (skipped.length > 0) console.log(`  skipped, not reachable: ${skipped.join('; ')} (set TEST_DATABASES to require them)`);
  for (const problem of problems) console.log(`  FAILED: ${problem}`);

  const passed = runs.reduce((n, r) => n + r.passed, 0);
  const failed = runs.reduce((n, r) => n + r.failed, 0) + problems.length;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || runs.length === 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
