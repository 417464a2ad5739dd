import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { runAdmin, TEST_NAME_PREFIX, testDatabaseKind, testRunId, type TestServer, testServer } from './database';
import { SessionClient } from './session-client';

/**
 * Real app instances for the multi-instance tests: N `node` processes running
 * `test/fixtures/instance/main.ts` (through ts-node, transpile only) on loopback ports, all on one
 * database, started at the same moment, the way instances behind a load balancer start.
 *
 * No orphans: every child is tracked and stopped by {@link stopAllInstances} (call it in
 * `afterAll`); a child also exits by itself when its stdin pipe closes (the test process died),
 * and the test process SIGKILLs whatever is left when it exits.
 */

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'test', 'fixtures', 'instance', 'main.ts');
const OUTPUT_LIMIT = 256 * 1024;

/** One running app process. */
export interface AppInstance {
  name: string;
  port: number;
  pid: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** What the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
}

export interface StartInstancesOptions {
  /** How many processes, started at once. */
  count: number;
  /** The database every instance uses (the module's own DataSource, migrations at start). */
  database: DataSourceOptions;
  /** More `SessionModuleOptions` (plain JSON values). */
  sessionOptions?: Record<string, unknown>;
  /** Names are `<prefix>-A`, `<prefix>-B`, ... */
  namePrefix?: string;
  /** Per-process limit to print its ready line (default 90 s: startup is CPU-bound on 2 cores). */
  startupTimeoutMs?: number;
  /** Nest log levels of the children (default `error,warn`). */
  logLevels?: string;
  /** More environment variables of the children (e.g. `INSTANCE_COUNT_QUERIES: '1'`). */
  env?: Record<string, string>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Letter names: A, B, ..., Z, AA, AB, ... */
function letter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : letter(Math.floor(i / 26) - 1) + letter(i % 26);
}

/**
 * Starts `count` instances at once and resolves when every one answers `GET /health`. If any
 * fails to start, all of them are stopped and the error carries every process's output.
 */
export async function startInstances(options: StartInstancesOptions): Promise<AppInstance[]> {
  installExitHook();
  const prefix = options.namePrefix ?? 'instance';
  const names = Array.from({ length: options.count }, (_, i) => `${prefix}-${letter(i)}`);
  const started = names.map((name) => launch(name, options));
  const results = await Promise.allSettled(started.map((s) => s.ready));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) {
    await Promise.all(started.map((s) => s.instance.stop(2000)));
    const outputs = started.map((s) => `--- ${s.instance.name} ---\n${s.instance.output().slice(-4000)}`).join('\n');
    throw new Error(`${failed.length} of ${options.count} instances failed to start: ${failed.map((f) => String(f.reason?.message ?? f.reason)).join('; ')}\n${outputs}`);
  }
  return started.map((s) => s.instance);
}

function launch(name: string, options: StartInstancesOptions): { instance: AppInstance; ready: Promise<void> } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
      TS_NODE_TRANSPILE_ONLY: 'true',
      INSTANCE_NAME: name,
      INSTANCE_PORT: '0',
      INSTANCE_DATABASE: JSON.stringify(options.database),
      INSTANCE_SESSION_OPTIONS: JSON.stringify(options.sessionOptions ?? {}),
      INSTANCE_LOG_LEVELS: options.logLevels ?? 'error,warn',
      INSTANCE_EXIT_WITH_PARENT: '1',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      live.delete(child);
      resolve(code);
    });
    child.once('error', (error) => {
      output += `\n[spawn error] ${error.message}\n`;
      live.delete(child);
      resolve(null);
    });
  });
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stderr!.on('data', append);
  // A child writing to a closed parent pipe must not crash the test process.
  child.stdin!.on('error', () => undefined);

  const instance: AppInstance = {
    name,
    port: 0,
    pid: child.pid ?? -1,
    url: '',
    output: () => output,
    async stop(graceMs = 5000) {
      if (exitCode !== undefined || child.exitCode !== null || child.signalCode !== null) return exitCode ?? child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        child.stdin?.destroy();
      }
    },
  };

  const ready = new Promise<void>((resolve, reject) => {
    const timeoutMs = options.startupTimeoutMs ?? 90_000;
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after ${timeoutMs} ms`)), timeoutMs);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      append(chunk);
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const match = /^INSTANCE_READY (\{.*\})$/.exec(line.trim());
        if (!match) continue;
        const info = JSON.parse(match[1]) as { port: number; pid: number };
        instance.port = info.port;
        instance.url = `http://127.0.0.1:${info.port}`;
        waitForHealth(instance.url, 10_000).then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (error) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited with ${code} before it was ready`));
    });
  });
  return { instance, ready };
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url}/health did not answer: ${(error as Error).message}`);
    }
    if (Date.now() > deadline) throw new Error(`${url}/health did not answer 200`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops every instance this process started (afterAll); resolves with their exit codes. */
export async function stopAllInstances(instances: AppInstance[] = []): Promise<(number | null)[]> {
  const codes = await Promise.all(instances.map((i) => i.stop()));
  // Anything started by a failed or forgotten startInstances call.
  for (const child of [...live]) child.kill('SIGKILL');
  return codes;
}

/** How many instance processes of this test process are still alive. */
export function liveInstanceCount(): number {
  return live.size;
}

// ---- databases ------------------------------------------------------------------------------

/** The two server families the multi-instance tests run on. */
export type ServerFamily = 'postgres' | 'mysql';

/** Whether a server answers, and which product it is (MySQL or MariaDB). */
export interface ServerProbe {
  reachable: boolean;
  error?: string;
  /** For the MySQL protocol: 'mariadb' when the server is MariaDB, else 'mysql'. */
  typeormType: 'postgres' | 'mysql' | 'mariadb';
}

const PROBE_SCRIPT = `
const server = JSON.parse(process.argv[1]);
(async () => {
  if (server.protocol === 'postgres') {
    const { Client } = require('pg');
    const c = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database, connectionTimeoutMillis: 3000 });
    await c.connect();
    const r = await c.query('SELECT version() AS v');
    await c.end();
    process.stdout.write(String(r.rows[0].v));
  } else {
    const mysql = require('mysql2/promise');
    const c = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, connectTimeout: 3000 });
    const [rows] = await c.query('SELECT VERSION() AS v');
    await c.end();
    process.stdout.write(String(rows[0].v));
  }
})().catch((e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); });
`;

/** Synchronously asks whether the server of a family answers (usable at module load, to skip a describe). */
export function probeServer(family: ServerFamily): ServerProbe {
  const server = testServer(family);
  try {
    const version = execFileSync(process.execPath, ['-e', PROBE_SCRIPT, JSON.stringify(server)], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15_000,
    });
    const typeormType = family === 'postgres' ? 'postgres' : /mariadb/i.test(version) ? 'mariadb' : 'mysql';
    return { reachable: true, typeormType };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    return { reachable: false, error: (stderr || String(error)).trim().split('\n')[0], typeormType: family === 'postgres' ? 'postgres' : 'mysql' };
  }
}

/**
 * Whether a multi-instance suite on `family` runs in this test process, and why not. It follows
 * the matrix of `npm test` (scripts/test.js: one jest run per database, `TEST_DB` set for each):
 *
 * - `TEST_DB` of this family: it runs, and an unreachable server fails it (that leg is about
 *   this database; scripts/test.js only starts it when the server answers or is required).
 * - `TEST_DB` of the other server family: skipped (its own leg runs it).
 * - `TEST_DB=sqlite` (or unset) inside the matrix (`TEST_DATABASES` given, or `TEST_MATRIX=1` set by scripts/test.js):
 *   skipped, the family's own leg runs it; so nothing runs twice.
 * - `TEST_DB=sqlite` (or unset) outside the matrix (e.g. `npx jest multi-instance`): it runs
 *   when the server answers, else it is skipped with a message saying how to run it.
 */
export function multiInstanceGate(family: ServerFamily): { run: boolean; mandatory: boolean; probe?: ServerProbe; message: string } {
  const kind = testDatabaseKind();
  const kindFamily: ServerFamily | 'sqlite' = kind === 'sqlite' ? 'sqlite' : kind === 'postgres' ? 'postgres' : 'mysql';
  const label = family === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
  const leg = family === 'postgres' ? 'postgres' : 'mysql';
  if (kindFamily !== 'sqlite' && kindFamily !== family) {
    return { run: false, mandatory: false, message: `multi-instance tests on ${label} skipped under TEST_DB=${kind}: they run in the ${leg} leg (TEST_DB=${leg})` };
  }
  const mandatory = kindFamily === family;
  if (!mandatory) {
    const raw = (process.env.TEST_DATABASES ?? '').trim();
    const listed = raw
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .map((s) => (s === 'mariadb' ? 'mysql' : s));
    if (raw !== '' || process.env.TEST_MATRIX === '1') {
      const why =
        raw === ''
          ? `the ${leg} leg of npm test runs them when ${label} answers`
          : listed.includes(leg)
            ? `the ${leg} leg of the matrix runs them (TEST_DATABASES=${raw})`
            : `TEST_DATABASES=${raw} does not list ${leg}`;
      return { run: false, mandatory: false, message: `multi-instance tests on ${label} skipped in the SQLite run: ${why}` };
    }
  }
  const probe = probeServer(family);
  if (probe.reachable) return { run: true, mandatory, probe, message: '' };
  const server = testServer(family);
  return {
    run: false,
    mandatory,
    probe,
    message:
      `multi-instance tests on ${label} ${mandatory ? 'cannot run' : 'skipped'}: ${server.host}:${server.port} unreachable (${probe.error}); ` +
      `start the server or set ${family === 'postgres' ? 'TEST_POSTGRES_URL' : 'TEST_MYSQL_URL'}` +
      (mandatory ? '' : ` (TEST_DB=${leg} or TEST_DATABASES listing it makes this a failure instead of a skip)`),
  };
}

/** A fresh, empty PostgreSQL schema or MySQL/MariaDB database, and how to drop it. */
export interface FreshDatabase {
  name: string;
  options: DataSourceOptions;
  drop(): void;
}

let freshCounter = 0;

/**
 * Creates an empty schema (PostgreSQL) or database (MySQL/MariaDB) named like the ones of
 * `test/support/database.ts` (`nst_<run>_...`, so a later run's global setup drops leftovers of a
 * crash); {@link FreshDatabase.drop} removes it (skipped when `KEEP_TEST_DATABASES` is set).
 */
export function freshDatabase(family: ServerFamily, typeormType: ServerProbe['typeormType'], poolSize = 5): FreshDatabase {
  const server: TestServer = testServer(family);
  const name = `${TEST_NAME_PREFIX}${testRunId()}_mi${process.env.JEST_WORKER_ID ?? 0}_${randomBytes(3).toString('hex')}_${++freshCounter}`;
  runAdmin({ action: 'create', server, names: [name] });
  const connection = { host: server.host, port: server.port, username: server.user, password: server.password };
  const options = (
    family === 'postgres'
      ? { type: 'postgres', ...connection, database: server.database, schema: name, poolSize }
      : { type: typeormType, ...connection, database: name, poolSize }
  ) as DataSourceOptions;
  return {
    name,
    options,
    drop: () => {
      if (!process.env.KEEP_TEST_DATABASES) runAdmin({ action: 'drop', server, names: [name] });
    },
  };
}

// ---- HTTP client of the instance fixture --------------------------------------------------------

/** Tokens of a header-mode session. */
export interface Tokens {
  access: string;
  refresh: string;
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

async function call<T = any>(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

/**
 * The fixture's routes as functions: session traffic through the one test client (header mode,
 * a fresh client per call, as separate tabs would be), the fixture's admin routes with `fetch`.
 */
export function client(instance: AppInstance) {
  const url = instance.url;
  const session = () => new SessionClient(url, 'header');
  return {
    instance,
    async login(userId: string, payload?: Record<string, unknown>): Promise<Tokens & { handle: string }> {
      const { handle, access, refresh } = await session().login({ userId, payload });
      return { handle, access, refresh };
    },
    me: (access: string) => session().get('/me', access),
    strict: (access: string) => session().get('/strict', access),
    /** `POST /auth/session/refresh`; the new tokens when 200. */
    async refresh(refresh: string) {
      const tab = session();
      const res = await tab.refreshSession(refresh);
      return Object.assign(res, { tokens: res.status === 200 ? { access: tab.access!, refresh: tab.refresh! } : undefined });
    },
    merge: (handle: string, update: Record<string, unknown>) => call(`${url}/admin/merge/${handle}`, { method: 'POST', body: update }),
    revoke: (handle: string) => call(`${url}/admin/revoke/${handle}`, { method: 'POST' }),
    rotateKey: () => call<{ kid: string; generation: number }>(`${url}/admin/rotate-key`, { method: 'POST' }),
    keys: () => call<{ rows: { kid: string; algorithm: string; generation: number }[]; jwks: string[] }>(`${url}/admin/keys`),
    migrations: () => call<{ names: string[] }>(`${url}/admin/migrations`),
    revokeUser: (userId: string) => call<{ revoked: string[] }>(`${url}/admin/revoke-user/${encodeURIComponent(userId)}`, { method: 'POST' }),
    /** Statements of the instance's DataSource since the last reset (needs `INSTANCE_COUNT_QUERIES=1`). */
    queries: () => call<{ total: number; feed: number; other: string[] }>(`${url}/admin/queries`),
    resetQueries: () => call(`${url}/admin/queries/reset`, { method: 'POST' }),
    feedStats: () => call<{ pid: number; stats: Record<string, any> | null }>(`${url}/admin/feed`),
    handles: (userId: string) => call<{ handles: string[] }>(`${url}/admin/handles/${encodeURIComponent(userId)}`),
  };
}

export type InstanceClient = ReturnType<typeof client>;
