import { createHash } from 'node:crypto';
import { type DataSource, type EntityManager, In, MoreThan } from 'typeorm';
import type { DatabaseFamily } from './database-family';
import { SessionEntity } from './entities/session.entity';
import { retryOnDeadlock } from './run-query';
import { type CappedCreation, type SessionCap, sessionsToEvict } from './session-cap';
import type { SessionRecord } from './session-record';

/** Seconds a MySQL/MariaDB sign-in waits for the user's lock before failing. */
const LOCK_WAIT_SECONDS = 30;

/**
 * Inserts a session under a per-user cap, atomically: concurrent sign-ins of one user never leave
 * more than `cap.max` live sessions. The count, the evictions and the insert run under a lock of
 * that user (tenant included), so they are one step for every other sign-in of the user:
 * PostgreSQL a transaction-scoped advisory lock, MySQL/MariaDB a named lock (`GET_LOCK`) around a
 * transaction, SQLite (one connection per DataSource) an in-process queue per DataSource.
 */
export class CappedSessionInsert {
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly family: DatabaseFamily,
  ) {}

  run(session: SessionRecord, cap: SessionCap, nowMs: number): Promise<CappedCreation> {
    const key = `nest-session:${session.tenantId.length}:${session.tenantId}:${session.userId}`;
    if (this.family === 'postgres') {
      return retryOnDeadlock(() =>
        this.dataSource.transaction(async (manager) => {
          await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
          return capAndInsert(manager, session, cap, nowMs);
        }),
      );
    }
    if (this.family === 'mysql') return this.underNamedLock(key, session, cap, nowMs);
    const run = this.sqliteQueue.then(() => capAndInsert(this.dataSource.manager, session, cap, nowMs));
    this.sqliteQueue = run.catch(() => undefined);
    return run;
  }

  private async underNamedLock(key: string, session: SessionRecord, cap: SessionCap, nowMs: number): Promise<CappedCreation> {
    // Lock names are at most 64 characters: a digest of the user's key.
    const name = `nest_session_cap_${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS locked', [name, LOCK_WAIT_SECONDS]);
      if (Number(row?.locked) !== 1) throw new Error('could not lock the user for a capped sign-in (timeout)');
      try {
        await runner.startTransaction();
        try {
          const result = await capAndInsert(runner.manager, session, cap, nowMs);
          await runner.commitTransaction();
          return result;
        } catch (error) {
          await runner.rollbackTransaction();
          throw error;
        }
      } finally {
        await runner.query('SELECT RELEASE_LOCK(?)', [name]);
      }
    } finally {
      await runner.release();
    }
  }
}

/** Under the user's lock: read the user's live sessions, evict (or deny), insert. */
async function capAndInsert(manager: EntityManager, session: SessionRecord, cap: SessionCap, nowMs: number): Promise<CappedCreation> {
  const repository = manager.getRepository(SessionEntity);
  const live = await repository.find({
    select: { sessionHandle: true, createdAt: true, rotatedAt: true },
    where: { userId: session.userId, tenantId: session.tenantId, expiresAt: MoreThan(nowMs) },
  });
  const evicted = sessionsToEvict(live, cap);
  if (evicted === undefined) return { created: false, evicted: [] };
  if (evicted.length > 0) await repository.delete({ sessionHandle: In(evicted), userId: session.userId });
  await repository.createQueryBuilder().insert().into(SessionEntity).values(session as SessionEntity).updateEntity(false).execute();
  return { created: true, evicted };
}
