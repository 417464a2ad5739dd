import { inspect } from 'node:util';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { basicApp } from '../../fixtures/basic.app';
import { testDatabaseKind } from '../../support/database';
import { type Platform, PLATFORMS } from '../../support/platforms';
import { SessionClient } from '../../support/session-client';
import { SESSION_DATA_SOURCE, SessionEntity, SessionService, SessionStorageError } from '../../../src';

/**
 * A failed store call never puts SQL parameters in logs or responses (issue 9, item 7): the
 * driver's error carries the statement and its parameters (private session data, the refresh
 * salt and hash, the anti-CSRF token). With the sessions table gone under a running app, every
 * path that reaches the store answers a 503 JSON body and logs a `SessionStorageError` whose text
 * holds none of them; the logger is captured the way any app logger would print (util.inspect).
 */
const db = testDatabaseKind();
const DATA_SECRET = 'PRIVATE-DATA-7f3a9c';
const PAYLOAD_SECRET = 'PAYLOAD-VALUE-2b8e41';
/** A `randomSecret()` (refresh salt, refresh secret, anti-CSRF token): 43 base64url characters. */
const RANDOM_SECRET = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/;

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private keep(level: string, args: unknown[]) {
    this.lines.push(`${level} ${args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10, showHidden: true }))).join(' ')}`);
  }
  log = (...args: unknown[]) => this.keep('log', args);
  error = (...args: unknown[]) => this.keep('error', args);
  warn = (...args: unknown[]) => this.keep('warn', args);
  debug = (...args: unknown[]) => this.keep('debug', args);
  verbose = (...args: unknown[]) => this.keep('verbose', args);
  fatal = (...args: unknown[]) => this.keep('fatal', args);
  get text(): string {
    return this.lines.join('\n');
  }
}

async function appWithLogger(platform: Platform, logger: LoggerService): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(basicApp({ antiCsrf: 'VIA_TOKEN' })).compile();
  const app = platform === 'fastify' ? moduleRef.createNestApplication(new FastifyAdapter(), { logger }) : moduleRef.createNestApplication({ logger });
  await app.init();
  if (platform === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
  return app;
}

async function dropSessionsTable(app: INestApplication): Promise<void> {
  const dataSource = app.get<DataSource>(SESSION_DATA_SOURCE);
  const runner = dataSource.createQueryRunner();
  try {
    await runner.dropTable(dataSource.getMetadata(SessionEntity).tablePath);
  } finally {
    await runner.release();
  }
}

/** A statement or a parameter list in a log line. */
const SQL_OR_PARAMETERS = /INSERT INTO|\bUPDATE\s+\S+\s+SET\b|\bSELECT\s[\s\S]*\sFROM\s|parameters/i;

const UNAVAILABLE = { statusCode: 503, message: 'the session store is unavailable; try again', error: 'Service Unavailable' };

describe.each(PLATFORMS)(`store errors reach logs and responses without parameters (%s, ${db})`, (platform) => {
  let app: INestApplication;
  let logger: CapturingLogger;
  let client: SessionClient;
  let held: { access?: string; refresh?: string; antiCsrf?: string };
  beforeAll(async () => {
    logger = new CapturingLogger();
    app = await appWithLogger(platform, logger);
    client = new SessionClient(app, 'cookie');
    await client.login({ userId: 'victim', payload: { p: PAYLOAD_SECRET }, data: { d: DATA_SECRET } });
    held = { access: client.access, refresh: client.refresh, antiCsrf: client.antiCsrf };
    await dropSessionsTable(app);
  });
  afterAll(() => app?.close());

  /** Nothing secret in what was logged: no marker, no token, no statement, no parameter list. */
  function expectCleanLogs(): void {
    const text = logger.text;
    expect(text).toContain('SessionStorageError');
    for (const secret of [DATA_SECRET, PAYLOAD_SECRET, held.access!, held.refresh!, held.antiCsrf!]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(RANDOM_SECRET);
    expect(text).not.toMatch(SQL_OR_PARAMETERS);
  }

  it('a failed session write (sign-in) answers 503 JSON and logs no session data, salt or anti-CSRF token', async () => {
    logger.lines.length = 0;
    const other = new SessionClient(app, 'cookie');
    const { res } = await other.login({ userId: 'second', payload: { p: PAYLOAD_SECRET }, data: { d: DATA_SECRET } }, { status: 503 });
    expect(res.body).toEqual(UNAVAILABLE);
    expect(JSON.stringify(res.body)).not.toContain(DATA_SECRET);
    expect(res.headers['set-cookie']).toBeUndefined();
    expectCleanLogs();
  });

  it('a failed refresh answers 503 JSON, keeps the client\'s tokens, and logs no token', async () => {
    logger.lines.length = 0;
    const res = await client.refreshSession();
    expect(res.status).toBe(503);
    expect(res.body).toEqual(UNAVAILABLE);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['front-token']).toBeUndefined();
    expectCleanLogs();
  });

  it('a failed database check (checkDatabase route) answers 503 JSON, keeps the tokens, logs nothing secret', async () => {
    logger.lines.length = 0;
    const res = await client.get('/strict');
    expect(res.status).toBe(503);
    expect(res.body).toEqual(UNAVAILABLE);
    expect(res.headers['set-cookie']).toBeUndefined();
    expectCleanLogs();
  });

  it('offline writes throw SessionStorageError whose text holds no parameter', async () => {
    logger.lines.length = 0;
    const sessions = app.get(SessionService);
    const refused = sessions.updateSessionDataInDatabase('00000000-0000-4000-8000-000000000000', { d: DATA_SECRET });
    await expect(refused).rejects.toBeInstanceOf(SessionStorageError);
    const error = await refused.catch((e) => e);
    const printed = inspect(error, { depth: 10, showHidden: true });
    expect(printed).not.toContain(DATA_SECRET);
    expect(printed).not.toMatch(SQL_OR_PARAMETERS);
    expect(error.message).toMatch(/^SessionStore\.updateSessionData failed/);
    expectCleanLogs();
  });
});
