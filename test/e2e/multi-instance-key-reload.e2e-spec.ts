import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { basicApp } from '../fixtures/basic.app';
import { testDatabaseKind, testDatabaseOptions } from '../support/database';
import { createTestApp } from '../support/platforms';
import { jwtHeader } from '../support/tokens';
import { SESSION_ENTITIES, SessionService, type SigningKeyStore, TryRefreshTokenError, TypeOrmSigningKeyStore } from '../../src';

/**
 * A key created by another instance verifies at once, even when it appears while a reload is
 * already reading — the timing the process-level test (multi-instance.e2e-spec.ts) cannot force:
 * two app instances on one database (in one process, sharing the database but nothing else), and
 * a key reload on the second instance that is already reading the keys table when the first one
 * rotates. A token signed with the new key must still verify on the second instance: the reload
 * that read the table before the key existed is not the reload the request waits for.
 */
const db = testDatabaseKind();

interface Hold {
  /** Resolves once the held read has its rows (the table was read). */
  readDone: Promise<void>;
  markRead(): void;
  released: Promise<void>;
  release(): void;
}

function forgedToken(kid: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT', version: '5', kid })}.${part({ sub: 'nobody' })}.${Buffer.alloc(64, 1).toString('base64url')}`;
}

describe(`multi-instance: unknown kid while a key reload is already reading (${db})`, () => {
  let dataSource: DataSource;
  let first: INestApplication;
  let second: INestApplication;
  let reads = 0;
  /** While set, the second instance's next key read holds its (already read) rows until released. */
  let hold: Hold | undefined;

  beforeAll(async () => {
    dataSource = new DataSource({ ...testDatabaseOptions(), entities: [...SESSION_ENTITIES], synchronize: true });
    await dataSource.initialize();
    first = await createTestApp('express', basicApp({ dataSource, verifiedTokenCacheSize: 0 }));
    // The second instance reads the same key table through a store that counts its reads and
    // can hold one (already read) until the test releases it.
    const keys = new TypeOrmSigningKeyStore(dataSource);
    const instrumented: SigningKeyStore = {
      insert: (key) => keys.insert(key),
      delete: (kids) => keys.delete(kids),
      list: async () => {
        reads++;
        const rows = await keys.list();
        const held = hold;
        if (held) {
          hold = undefined;
          held.markRead();
          await held.released;
        }
        return rows;
      },
    };
    second = await createTestApp('express', basicApp({ dataSource, verifiedTokenCacheSize: 0, signingKeyStore: instrumented }));
    reads = 0;
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await dataSource?.destroy();
  });

  function holdNextRead(): Hold {
    let markRead!: () => void;
    let release!: () => void;
    const readDone = new Promise<void>((resolve) => (markRead = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    hold = { readDone, markRead, released, release };
    return hold;
  }

  it('a token signed with a key created during the reload verifies (the request waits for the next reload)', async () => {
    const firstSessions = first.get(SessionService);
    const secondSessions = second.get(SessionService);
    // Past the reload interval since start, so the next unknown kid reloads at once.
    await new Promise((r) => setTimeout(r, 1100));

    // Someone sends a kid nobody knows: the second instance reloads, and that read completes
    // (the table is read) before the first instance rotates.
    const held = holdNextRead();
    const probe = secondSessions.getSessionWithoutRequestResponse(forgedToken('k-nobody-knows')).catch((e: unknown) => e);
    await held.readDone;

    await firstSessions.rotateSigningKey();
    const session = await firstSessions.createNewSessionWithoutRequestResponse('public', 'late-key');
    const { accessToken } = session.getAllSessionTokensDangerously();
    const readsBefore = reads;
    const verifying = secondSessions.getSessionWithoutRequestResponse(accessToken).then(
      (s) => s.getUserId(),
      (e: unknown) => e,
    );
    held.release();

    expect(await probe).toBeInstanceOf(TryRefreshTokenError);
    const started = Date.now();
    expect(await verifying).toBe('late-key');
    // It waited for one more reload (at most the 1 s interval), not more.
    expect(reads).toBe(readsBefore + 1);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(secondSessions.getJWKS().keys.map((k) => k.kid)).toContain(jwtHeader(accessToken).kid);
  });

  it('unknown kids sent at once still cost one reload per interval', async () => {
    const secondSessions = second.get(SessionService);
    await new Promise((r) => setTimeout(r, 1100));
    const before = reads;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => secondSessions.getSessionWithoutRequestResponse(forgedToken(`k-random-${i}`)).catch((e: unknown) => e)),
    );
    for (const r of results) expect(r).toBeInstanceOf(TryRefreshTokenError);
    expect(reads - before).toBe(1);
  });
});
