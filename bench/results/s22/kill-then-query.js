// Why test/e2e/hardening/outages.e2e-spec.ts waits for killed PostgreSQL backends to exit.
// A pool of 3 connections is filled, its backends are killed from another connection, and the pool
// is asked for a query at once: 300 rounds, without and with the wait.
//   node bench/results/s22/kill-then-query.js            (TEST_POSTGRES_URL, TEST_MYSQL_URL)
// pg_terminate_backend(pid) only signals the backend: a backend not yet scheduled takes the next
// query and dies with it (57P01). pg_terminate_backend(pid, 5000) returns once it is gone.
// MariaDB's KILL has closed the socket when it returns: one event-loop turn later the pool knows.
const { Pool, Client } = require('pg');
const mysql = require('mysql2/promise');

const PG_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const ROUNDS = 300;
const turn = () => new Promise((resolve) => setTimeout(resolve, 0)).then(() => new Promise((resolve) => setImmediate(resolve)));

async function tally(round) {
  const failures = {};
  for (let i = 0; i < ROUNDS; i++) {
    const error = await round().then(() => undefined, (e) => e);
    if (error) failures[error.code ?? error.message] = (failures[error.code ?? error.message] ?? 0) + 1;
  }
  return failures;
}

async function postgres(wait) {
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  const pool = new Pool({ connectionString: PG_URL, application_name: 'kill-then-query', max: 3 });
  pool.on('error', () => undefined);
  const failures = await tally(async () => {
    await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1'), pool.query('SELECT 1')]).catch(() => undefined);
    await admin.query(`SELECT pg_terminate_backend(pid${wait ? ', 5000' : ''}) FROM pg_stat_activity WHERE application_name = 'kill-then-query'`);
    await turn();
    await pool.query('SELECT 1');
  });
  await pool.end();
  await admin.end();
  return failures;
}

async function mariadb(turns) {
  const admin = await mysql.createConnection(MYSQL_URL);
  const pool = mysql.createPool({ uri: MYSQL_URL, connectionLimit: 3 });
  const failures = await tally(async () => {
    const held = await Promise.all([pool.getConnection(), pool.getConnection(), pool.getConnection()]);
    const ids = held.map((c) => c.threadId);
    held.forEach((c) => c.release());
    for (const id of ids) await admin.query(`KILL ${Number(id)}`).catch(() => undefined);
    if (turns) await turn();
    await pool.query('SELECT 1');
  });
  await pool.end();
  await admin.end();
  return failures;
}

(async () => {
  console.log(`${ROUNDS} rounds each; failed queries by error code`);
  console.log('PostgreSQL, pg_terminate_backend(pid), one loop turn:', await postgres(false));
  console.log('PostgreSQL, pg_terminate_backend(pid, 5000), one loop turn:', await postgres(true));
  console.log('MariaDB, KILL, query at once:', await mariadb(false));
  console.log('MariaDB, KILL, one loop turn:', await mariadb(true));
})();
