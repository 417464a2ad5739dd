import { sessionsToEvict } from '../../src/storage/session-cap';
import {
  type CappedCreation,
  type SessionCap,
  fitsPayloadSizeLimit,
  type JSONObject,
  type PayloadSizeLimit,
  PayloadTooLargeError,
  type RefreshRotation,
  type RolesAndPermissions,
  type RoleStore,
  type SessionRecord,
  type SessionStore,
  type SigningKeyStore,
  type StoredPayload,
  type StoredSigningKey,
} from '../../src';

/**
 * In-memory implementations of the three store interfaces: the proof that the storage seam is
 * real (they pass the same contract tests as the TypeORM stores, and an app configured with
 * `store`, `signingKeyStore` and `roleStore` runs with no database at all). Everything is copied
 * on the way in and out, as a database would, so no caller shares an object with the store.
 */
export class InMemorySessionStore implements SessionStore {
  private readonly rows = new Map<string, SessionRecord>();

  async create(session: SessionRecord): Promise<void> {
    if (this.rows.has(session.sessionHandle)) throw new Error(`duplicate session handle ${session.sessionHandle}`);
    this.rows.set(session.sessionHandle, structuredClone(session));
  }

  /** Synchronous between awaits, so the count, evictions and insert are one step. */
  async createWithinCap(session: SessionRecord, cap: SessionCap, nowMs: number): Promise<CappedCreation> {
    const evicted = sessionsToEvict(this.ofUser(session.userId, session.tenantId, nowMs), cap);
    if (evicted === undefined) return { created: false, evicted: [] };
    evicted.forEach((handle) => this.rows.delete(handle));
    this.rows.set(session.sessionHandle, structuredClone(session));
    return { created: true, evicted };
  }

  async find(sessionHandle: string, nowMs: number): Promise<SessionRecord | undefined> {
    const row = this.live(sessionHandle, nowMs);
    return row ? structuredClone(row) : undefined;
  }

  async rotateRefreshToken(rotation: RefreshRotation): Promise<boolean> {
    const row = this.live(rotation.sessionHandle, rotation.rotatedAt);
    if (!row || row.refreshGeneration !== rotation.fromGeneration) return false;
    Object.assign(row, {
      refreshHash: rotation.refreshHash,
      refreshGeneration: rotation.fromGeneration + 1,
      rotatedAt: rotation.rotatedAt,
      expiresAt: rotation.expiresAt,
      ...(rotation.client ? { lastIp: rotation.client.ip, lastUserAgent: rotation.client.userAgent } : {}),
    });
    return true;
  }

  async delete(sessionHandles: string[]): Promise<string[]> {
    return [...new Set(sessionHandles)].filter((handle) => this.rows.delete(handle));
  }

  async deleteForUser(userId: string, tenantId: string | undefined): Promise<string[]> {
    const handles = this.ofUser(userId, tenantId).map((row) => row.sessionHandle);
    return this.delete(handles);
  }

  async listHandlesForUser(userId: string, tenantId: string | undefined, nowMs: number): Promise<string[]> {
    return this.ofUser(userId, tenantId, nowMs)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((row) => row.sessionHandle);
  }

  async listForUser(userId: string, tenantId: string | undefined, nowMs: number): Promise<SessionRecord[]> {
    return this.ofUser(userId, tenantId, nowMs)
      .sort((a, b) => b.createdAt - a.createdAt || a.sessionHandle.localeCompare(b.sessionHandle))
      .map((row) => structuredClone(row));
  }

  async deleteForUserExcept(userId: string, tenantId: string | undefined, keepHandle: string): Promise<string[]> {
    return this.delete(this.ofUser(userId, tenantId).map((row) => row.sessionHandle).filter((handle) => handle !== keepHandle));
  }

  async deleteOfUser(sessionHandle: string, userId: string, tenantId: string | undefined): Promise<boolean> {
    const row = this.rows.get(sessionHandle);
    if (!row || row.userId !== userId || (tenantId !== undefined && row.tenantId !== tenantId)) return false;
    return this.rows.delete(sessionHandle);
  }

  async updateSessionData(sessionHandle: string, data: JSONObject, nowMs: number): Promise<boolean> {
    const row = this.live(sessionHandle, nowMs);
    if (row) row.sessionData = structuredClone(data);
    return row !== undefined;
  }

  async mergePayload(sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<StoredPayload | undefined> {
    const row = this.live(sessionHandle, nowMs);
    if (!row) return undefined;
    refuseOverLimit([row], update, limit);
    applyMerge(row, update);
    return { payload: structuredClone(row.accessTokenPayload), version: row.payloadVersion };
  }

  async mergePayloadIfExists(sessionHandle: string, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<boolean> {
    return (await this.mergePayload(sessionHandle, update, nowMs, limit)) !== undefined;
  }

  async mergePayloadForUser(userId: string, tenantId: string | undefined, update: JSONObject, nowMs: number, limit?: PayloadSizeLimit): Promise<number> {
    const rows = this.ofUser(userId, tenantId, nowMs);
    refuseOverLimit(rows, update, limit);
    rows.forEach((row) => applyMerge(row, update));
    return rows.length;
  }

  async replacePayload(sessionHandle: string, payload: JSONObject, nowMs: number): Promise<boolean> {
    const row = this.live(sessionHandle, nowMs);
    if (!row) return false;
    row.accessTokenPayload = structuredClone(payload);
    row.payloadVersion++;
    return true;
  }

  async listExpired(nowMs: number, limit: number): Promise<SessionRecord[]> {
    return [...this.rows.values()]
      .filter((row) => row.expiresAt <= nowMs)
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .slice(0, limit)
      .map((row) => structuredClone(row));
  }

  async deleteExpired(nowMs: number): Promise<number> {
    const expired = [...this.rows.values()].filter((row) => row.expiresAt <= nowMs);
    expired.forEach((row) => this.rows.delete(row.sessionHandle));
    return expired.length;
  }

  private live(sessionHandle: string, nowMs: number): SessionRecord | undefined {
    const row = this.rows.get(sessionHandle);
    return row && row.expiresAt > nowMs ? row : undefined;
  }

  private ofUser(userId: string, tenantId: string | undefined, liveAt?: number): SessionRecord[] {
    return [...this.rows.values()].filter(
      (row) => row.userId === userId && (tenantId === undefined || row.tenantId === tenantId) && (liveAt === undefined || row.expiresAt > liveAt),
    );
  }
}

/** The size limit of merges, all or nothing, as the SQL stores apply it. */
function refuseOverLimit(rows: SessionRecord[], update: JSONObject, limit: PayloadSizeLimit | undefined): void {
  if (!limit) return;
  for (const row of rows) {
    const merged = structuredClone(row);
    applyMerge(merged, update);
    if (!fitsPayloadSizeLimit(limit, merged.accessTokenPayload, row.userId, row.tenantId)) throw new PayloadTooLargeError(undefined, limit.tokenLimit);
  }
}

/** SuperTokens' top-level merge: `null` deletes a key, every other value replaces the stored one whole. */
function applyMerge(row: SessionRecord, update: JSONObject): void {
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    if (value === null) delete row.accessTokenPayload[key];
    else row.accessTokenPayload[key] = structuredClone(value);
  }
  row.payloadVersion++;
}

/** Signing keys in memory; `(algorithm, generation)` unique, as the table's constraint. */
export class InMemorySigningKeyStore implements SigningKeyStore {
  private readonly keys: StoredSigningKey[] = [];

  async list(): Promise<StoredSigningKey[]> {
    return structuredClone([...this.keys].sort((a, b) => a.createdAt - b.createdAt));
  }

  async insert(key: StoredSigningKey): Promise<boolean> {
    if (this.keys.some((k) => k.kid === key.kid)) throw new Error(`duplicate kid ${key.kid}`);
    if (this.keys.some((k) => k.algorithm === key.algorithm && k.generation === key.generation)) return false;
    this.keys.push(structuredClone(key));
    return true;
  }

  async delete(kids: string[]): Promise<void> {
    for (const kid of kids) {
      const index = this.keys.findIndex((k) => k.kid === kid);
      if (index >= 0) this.keys.splice(index, 1);
    }
  }
}

/** Roles, permissions and grants in memory. */
export class InMemoryRoleStore implements RoleStore {
  private readonly roles = new Set<string>();
  private readonly permissions = new Map<string, Set<string>>();
  /** `tenant \0 user` → roles. */
  private readonly grants = new Map<string, Set<string>>();

  async roleExists(role: string): Promise<boolean> {
    return this.roles.has(role);
  }

  async createRole(role: string): Promise<void> {
    this.roles.add(role);
  }

  async addPermissions(role: string, permissions: string[]): Promise<void> {
    const set = this.permissions.get(role) ?? new Set<string>();
    permissions.forEach((p) => set.add(p));
    this.permissions.set(role, set);
  }

  async permissionsOfRole(role: string): Promise<string[]> {
    return sorted(this.permissions.get(role));
  }

  async removePermissions(role: string, permissions: string[]): Promise<void> {
    permissions.forEach((p) => this.permissions.get(role)?.delete(p));
  }

  async rolesWithPermission(permission: string): Promise<string[]> {
    return sorted([...this.permissions].filter(([, set]) => set.has(permission)).map(([role]) => role));
  }

  async deleteRole(role: string): Promise<void> {
    this.grants.forEach((set) => set.delete(role));
    this.permissions.delete(role);
    this.roles.delete(role);
  }

  async allRoles(): Promise<string[]> {
    return sorted(this.roles);
  }

  async userHasRole(tenantId: string, userId: string, role: string): Promise<boolean> {
    return this.grants.get(grantKey(tenantId, userId))?.has(role) ?? false;
  }

  async addUserRole(tenantId: string, userId: string, role: string): Promise<void> {
    const key = grantKey(tenantId, userId);
    this.grants.set(key, (this.grants.get(key) ?? new Set<string>()).add(role));
  }

  async removeUserRole(tenantId: string, userId: string, role: string): Promise<boolean> {
    return this.grants.get(grantKey(tenantId, userId))?.delete(role) ?? false;
  }

  async rolesOfUser(tenantId: string, userId: string): Promise<string[]> {
    return sorted(this.grants.get(grantKey(tenantId, userId)));
  }

  async usersWithRole(tenantId: string, role: string): Promise<string[]> {
    const users = [...this.grants].filter(([key, set]) => key.startsWith(`${tenantId}\u0000`) && set.has(role)).map(([key]) => key.split('\u0000')[1]);
    return sorted(users);
  }

  async rolesAndPermissionsOfUser(tenantId: string, userId: string): Promise<RolesAndPermissions> {
    const roles = await this.rolesOfUser(tenantId, userId);
    return { roles, permissions: sorted(roles.flatMap((role) => [...(this.permissions.get(role) ?? [])])) };
  }
}

function grantKey(tenantId: string, userId: string): string {
  return `${tenantId}\u0000${userId}`;
}

function sorted(values: Iterable<string> | undefined): string[] {
  return [...new Set(values ?? [])].sort();
}

/** All three, for `SessionModule.forRoot({ ...memoryStores() })`: an app with no database. */
export function memoryStores(): { store: InMemorySessionStore; signingKeyStore: InMemorySigningKeyStore; roleStore: InMemoryRoleStore } {
  return { store: new InMemorySessionStore(), signingKeyStore: new InMemorySigningKeyStore(), roleStore: new InMemoryRoleStore() };
}
