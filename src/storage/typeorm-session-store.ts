import { type DataSource, In, LessThanOrEqual, MoreThan, Not, type Repository } from 'typeorm';
import type { JSONObject } from '../json';
import { CappedSessionInsert } from './capped-session-insert';
import { type DatabaseFamily, databaseFamily } from './database-family';
import type { PayloadDialect } from './dialects/payload-dialect';
import { selectPayloadDialect } from './dialects/select-payload-dialect';
import { SessionEntity } from './entities/session.entity';
import type { PayloadSizeLimit } from './payload-size-limit';
import { retryOnDeadlock } from './run-query';
import type { RefreshRotation, SessionRecord, StoredPayload } from './session-record';
import type { CappedCreation, SessionCap } from './session-cap';
import type { SessionStore } from './session-store';

/** The default {@link SessionStore}: a TypeORM repository plus one atomic SQL dialect per driver. */
export class TypeOrmSessionStore implements SessionStore {
  private readonly repository: Repository<SessionEntity>;
  private readonly dialect: PayloadDialect;
  private readonly family: DatabaseFamily;
  private readonly capped: CappedSessionInsert;

  constructor(private readonly dataSource: DataSource) {
    this.repository = dataSource.getRepository(SessionEntity);
    this.dialect = selectPayloadDialect(dataSource);
    this.family = databaseFamily(dataSource.options.type);
    this.capped = new CappedSessionInsert(dataSource, this.family);
  }

  async create(session: SessionRecord): Promise<void> {
    // updateEntity(false): without it TypeORM re-reads default-valued columns after the INSERT on
    // drivers without RETURNING (SQLite, MySQL), a second round trip for values we already have.
    await this.repository.createQueryBuilder().insert().into(SessionEntity).values(session as SessionEntity).updateEntity(false).execute();
  }

  createWithinCap(session: SessionRecord, cap: SessionCap, nowMs: number): Promise<CappedCreation> {
    return this.capped.run(session, cap, nowMs);
  }

  async find(sessionHandle: string, nowMs: number): Promise<SessionRecord | undefined> {
    const row = await this.repository.findOne({ where: { sessionHandle, expiresAt: MoreThan(nowMs) } });
    return row ?? undefined;
  }

  async rotateRefreshToken(rotation: RefreshRotation): Promise<boolean> {
    const result = await this.repository
      .createQueryBuilder()
      .update(SessionEntity)
      .set({
        refreshHash: rotation.refreshHash,
        refreshGeneration: rotation.fromGeneration + 1,
        rotatedAt: rotation.rotatedAt,
        expiresAt: rotation.expiresAt,
        ...(rotation.client ? { lastIp: rotation.client.ip, lastUserAgent: rotation.client.userAgent } : {}),
      })
      .where('session_handle = :handle AND refresh_generation = :generation AND expires_at > :now', {
        handle: rotation.sessionHandle,
        generation: rotation.fromGeneration,
        now: rotation.rotatedAt,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async delete(sessionHandles: string[]): Promise<string[]> {
    if (sessionHandles.length === 0) return [];
    const existing = await this.repository.find({ select: { sessionHandle: true }, where: { sessionHandle: In(sessionHandles) } });
    const handles = existing.map((s) => s.sessionHandle);
    if (handles.length > 0) await retryOnDeadlock(() => this.repository.delete({ sessionHandle: In(handles) }));
    return handles;
  }

  async deleteForUser(userId: string, tenantId: string | undefined): Promise<string[]> {
    const where = tenantId === undefined ? { userId } : { userId, tenantId };
    const existing = await this.repository.find({ select: { sessionHandle: true }, where });
    if (existing.length > 0) await retryOnDeadlock(() => this.repository.delete(where));
    return existing.map((s) => s.sessionHandle);
  }

  async listHandlesForUser(userId: string, tenantId: string | undefined, nowMs: number): Promise<string[]> {
    const where = { userId, expiresAt: MoreThan(nowMs), ...(tenantId === undefined ? {} : { tenantId }) };
    const rows = await this.repository.find({ select: { sessionHandle: true }, where, order: { createdAt: 'ASC' } });
    return rows.map((s) => s.sessionHandle);
  }

  async listForUser(userId: string, tenantId: string | undefined, nowMs: number): Promise<SessionRecord[]> {
    const where = { userId, expiresAt: MoreThan(nowMs), ...(tenantId === undefined ? {} : { tenantId }) };
    return this.repository.find({ where, order: { createdAt: 'DESC', sessionHandle: 'ASC' } });
  }

  async deleteForUserExcept(userId: string, tenantId: string | undefined, keepHandle: string): Promise<string[]> {
    const where = { userId, sessionHandle: Not(keepHandle), ...(tenantId === undefined ? {} : { tenantId }) };
    const existing = await this.repository.find({ select: { sessionHandle: true }, where });
    if (existing.length === 0) return [];
    // The owner is in the DELETE itself: a handle that moved to another user meanwhile is not touched.
    const handles = existing.map((s) => s.sessionHandle);
    await retryOnDeadlock(() => this.repository.delete({ ...where, sessionHandle: In(handles) }));
    return handles;
  }

  async deleteOfUser(sessionHandle: string, userId: string, tenantId: string | undefined): Promise<boolean> {
    const where = { sessionHandle, userId, ...(tenantId === undefined ? {} : { tenantId }) };
    const result = await retryOnDeadlock(() => this.repository.delete(where));
    return (result.affected ?? 0) > 0;
  }

  async updateSessionData(sessionHandle: string, data: JSONObject, nowMs: number): Promise<boolean> {
    const where = { sessionHandle, expiresAt: MoreThan(nowMs) };
    const result = await this.repository.update(where, { sessionData: data as SessionEntity['sessionData'] });
    if ((result.affected ?? 0) > 0) return true;
    // MySQL counts changed rows unless the connection sets FOUND_ROWS (mysql2 does by default, an
    // app's DataSource may not): identical data then reports 0, so ask whether the row exists.
    return this.family === 'mysql' && (await this.repository.exists({ where }));
  }

  mergePayload(sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<StoredPayload | undefined> {
    return this.dialect.mergeOne(this.dataSource, sessionHandle, update, nowMs, limit);
  }

  mergePayloadIfExists(sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<boolean> {
    return this.dialect.mergeOneIfExists(this.dataSource, sessionHandle, update, nowMs, limit);
  }

  mergePayloadForUser(userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<number> {
    return this.dialect.mergeForUser(this.dataSource, userId, tenantId, update, nowMs, limit);
  }

  async replacePayload(sessionHandle: string, payload: JSONObject, nowMs: number): Promise<boolean> {
    const result = await this.repository
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ accessTokenPayload: payload as SessionEntity['accessTokenPayload'], payloadVersion: () => 'payload_version + 1' })
      .where('session_handle = :handle AND expires_at > :now', { handle: sessionHandle, now: nowMs })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  listExpired(nowMs: number, limit: number): Promise<SessionRecord[]> {
    return this.repository.find({ where: { expiresAt: LessThanOrEqual(nowMs) }, order: { expiresAt: 'ASC' }, take: limit });
  }

  async deleteExpired(nowMs: number): Promise<number> {
    const result = await retryOnDeadlock(() => this.repository.delete({ expiresAt: LessThanOrEqual(nowMs) }));
    return result.affected ?? 0;
  }
}
