import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import Database from 'better-sqlite3';
import type { DataSourceOptions } from 'typeorm';
import { basicApp } from '../../fixtures/basic.app';
import { testDatabaseKind, testDatabaseOptions, testServer } from '../../support/database';
import { createTestApp } from '../../support/platforms';
import { SessionClient } from '../../support/session-client';
import { SessionService } from '../../../src';

/**
 * The database goes away under a running app, then comes back (issue 9, outages). Only this
 * test's own connections are affected, never the shared servers: SQLite is locked by another
 * connection holding an EXCLUSIVE transaction; on PostgreSQL and MySQL/MariaDB the app logs in
 * as its own role/user, which is then refused new logins and has its connections killed
 * (`pg_terminate_backend`, `KILL`), and later let in again.
 *
 * While it is away: verifying a valid access token still answers 200 (verification reads no
 * database); refresh, database-checked routes, sign-in and session writes answer a 503 JSON body
 * and never clear the client's tokens (an outage must not sign everyone out). Once it is back the
 * same app (no restart) serves everything again, and nothing was written half: the refresh token
 * presented during the outage still rotates, the refused sign-in made no session, the refused
 * revoke revoked nothing.
 */
const db = testDatabaseKind();
const UNAVAILABLE = { statusCode: 503, message: 'the session store is unavailable; try again', error: 'Service Unavailable' };

/** Takes this test's database away and brings it back. */
interface Outage {
  /** Options of the app's DataSource (connecting as what `begin` can lock out). */
  options: DataSourceOptions;
  begin(): Promise<void>;
  end(): Promise<void>;
  /** Kills the app's connections without locking it out (none on SQLite: one in-process handle). */
  kill?(): Promise<void>;
  dispose(): Promise<void>;
}

function sqliteOutage(): Outage {
  const file = path.join(tmpdir(), `nest-session-outage-${randomBytes(4).toString('hex')}.sqlite`);
  let locker: Database.Database | undefined;
  return {
    // A short busy timeout: a locked database fails fast instead of after 5 s.
    options: { type: 'better-sqlite3', database: file, timeout: 50 },
    async begin() {
      locker = new Database(file);
      locker.exec('BEGIN EXCLUSIVE');
    },
    async end() {
      locker?.exec('COMMIT');
      locker?.close();
      locker = undefined;
    },
    async dispose() {
      locker?.close();
      for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

interface PgAdmin {
  connect(): Promise<void>;
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
}

async function postgresOutage(): Promise<Outage> {
  // `pg` ships no types (and @types/pg is not a dependency): the three calls used here.
  const { Client } = require('pg') as { Client: new (options: object) => PgAdmin };
  const server = testServer('postgres');
  const base = testDatabaseOptions() as DataSourceOptions & { schema: string };
  const role = `${base.schema}_role`.slice(0, 60);
  const admin = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
  await admin.connect();
  await admin.query(`CREATE ROLE "${role}" LOGIN`);
  await admin.query(`GRANT ALL ON SCHEMA "${base.schema}" TO "${role}"`);
  // pg_terminate_backend only signals: a backend the OS has not yet scheduled would take the app's
  // next query and die with it (57P01), a connection killed "later" than the test says. The
  // timeout form (PostgreSQL 14+) returns once the backend is gone and its goodbye is on the wire.
  const terminate = async () => {
    const { rows } = (await admin.query('SELECT pg_terminate_backend(pid, 5000) AS gone FROM pg_stat_activity WHERE usename = $1', [role])) as { rows: { gone: boolean }[] };
    if (rows.some((row) => !row.gone)) throw new Error(`a backend of ${role} outlived pg_terminate_backend's 5 s wait`);
  };
  return {
    options: { ...base, username: role, password: '', applicationName: role } as DataSourceOptions,
    async begin() {
      await admin.query(`ALTER ROLE "${role}" NOLOGIN`);
      await terminate();
    },
    async end() {
      await admin.query(`ALTER ROLE "${role}" LOGIN`);
    },
    kill: terminate,
    async dispose() {
      await terminate();
      await admin.query(`DROP OWNED BY "${role}"`);
      await admin.query(`DROP ROLE IF EXISTS "${role}"`);
      await admin.end();
    },
  };
}

async function mysqlOutage(): Promise<Outage> {
  const mysql = await import('mysql2/promise');
  const server = testServer('mysql');
  const base = testDatabaseOptions() as DataSourceOptions & { database: string };
  const user = base.database.slice(0, 32);
  const password = randomBytes(8).toString('hex');
  const admin = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
  await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  await admin.query(`GRANT ALL ON \`${base.database}\`.* TO '${user}'@'%'`);
  const killAll = async () => {
    const [rows] = await admin.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
    for (const { id } of rows as Array<{ id: number }>) await admin.query(`KILL ${Number(id)}`).catch(() => undefined);
  };
  return {
    options: { ...base, username: user, password } as DataSourceOptions,
    async begin() {
      await admin.query(`ALTER USER '${user}'@'%' ACCOUNT LOCK`);
      await killAll();
    },
    async end() {
      await admin.query(`ALTER USER '${user}'@'%' ACCOUNT UNLOCK`);
    },
    kill: killAll,
    async dispose() {
      await killAll();
      await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await admin.end();
    },
  };
}

async function outageFor(kind: typeof db): Promise<Outage> {
  if (kind === 'sqlite') return sqliteOutage();
  if (kind === 'postgres') return postgresOutage();
  return mysqlOutage();
}

describe(`the database goes away under a running app (${db})`, () => {
  let outage: Outage;
  let app: INestApplication;
  let sessions: SessionService;
  beforeAll(async () => {
    outage = await outageFor(db);
    app = await createTestApp('express', basicApp({ database: outage.options }));
    sessions = app.get(SessionService);
  });
  afterAll(async () => {
    await outage?.end().catch(() => undefined);
    await app?.close();
    await outage?.dispose();
  });

  /** No token was cleared or replaced by this response. */
  function expectTokensKept(res: { headers: Record<string, any> }): void {
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['front-token']).toBeUndefined();
    expect(res.headers['st-access-token']).toBeUndefined();
    expect(res.headers['st-refresh-token']).toBeUndefined();
  }

  it.each([['cookie'], ['header']] as const)('(%s) verify keeps answering, writes answer 503 without signing out, and the app recovers', async (mode) => {
    const client = new SessionClient(app, mode);
    await client.login({ userId: `outage-${mode}`, data: { n: 1 } });
    const held = { access: client.access!, refresh: client.refresh!, handle: client.handle! };

    await outage.begin();
    try {
      // Verification reads no database.
      for (let i = 0; i < 3; i++) {
        const me = await client.get('/me');
        expect(me.status).toBe(200);
        expect(me.body.userId).toBe(`outage-${mode}`);
      }
      // Everything that needs the database: 503 JSON, tokens kept.
      const refreshed = await client.refreshSession();
      expect([refreshed.status, refreshed.body]).toEqual([503, UNAVAILABLE]);
      expectTokensKept(refreshed);

      const checked = await client.get('/strict');
      expect([checked.status, checked.body]).toEqual([503, UNAVAILABLE]);
      expectTokensKept(checked);

      const revoked = await client.post('/revoke');
      expect([revoked.status, revoked.body]).toEqual([503, UNAVAILABLE]);
      expectTokensKept(revoked);

      const other = new SessionClient(app, mode);
      const { res: signIn } = await other.login({ userId: `refused-${mode}` }, { status: 503 });
      expect(signIn.body).toEqual(UNAVAILABLE);
      expectTokensKept(signIn);

      await expect(sessions.updateSessionDataInDatabase(held.handle, { n: 2 })).rejects.toMatchObject({ name: 'SessionStorageError' });
      expect(client.access).toBe(held.access);
      expect(client.refresh).toBe(held.refresh);
    } finally {
      await outage.end();
    }

    // Back, same app: nothing was written half.
    await expect(sessions.getAllSessionHandlesForUser(`refused-${mode}`)).resolves.toEqual([]);
    await expect(sessions.getSessionInformation(held.handle)).resolves.toMatchObject({ userId: `outage-${mode}`, sessionDataInDatabase: { n: 1 } });
    expect((await client.get('/strict')).status).toBe(200);
    // The refresh token presented during the outage was not rotated: it rotates now, no theft.
    const refreshed = await client.refreshSession(held.refresh);
    expect(refreshed.status).toBe(200);
    expect(client.refresh).not.toBe(held.refresh);
    expect((await client.get('/strict')).status).toBe(200);
    await new SessionClient(app, mode).login({ userId: `after-${mode}` });
    await expect(sessions.getAllSessionHandlesForUser(`after-${mode}`)).resolves.toHaveLength(1);
    expect((await client.post('/revoke')).status).toBe(201);
    await expect(sessions.getSessionInformation(held.handle)).resolves.toBeUndefined();
  });

  // SQLite has one in-process handle, no connection to kill.
  (db === 'sqlite' ? it.skip : it)('connections killed under load: never a 500, every later request served by new connections', async () => {
    const client = new SessionClient(app, 'header');
    await client.login({ userId: 'killed' });
    for (let round = 0; round < 5; round++) {
      // Requests in flight while the connections die: served, or 503 JSON, never a 500.
      const inFlight = Promise.all([client.get('/strict'), client.get('/strict'), sessions.getAllSessionHandlesForUser('killed').catch((e) => e)]);
      await outage.kill!();
      const [a, b] = await inFlight;
      for (const res of [a, b]) {
        expect([200, 503]).toContain(res.status);
        if (res.status === 503) expect(res.body).toEqual(UNAVAILABLE);
      }
      // The pool replaces dead connections: the next requests are served.
      for (let i = 0; i < 3; i++) expect((await client.get('/strict')).status).toBe(200);
      const refreshed = await client.refreshSession();
      expect(refreshed.status).toBe(200);
    }
  });
});
