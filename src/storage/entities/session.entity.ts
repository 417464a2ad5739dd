import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../epoch-ms.transformer';
import { TABLES } from '../table-names';

/**
 * One session: the hash of its current refresh token, its custom payload and private data.
 * Identifier columns (here and in the other entities, listed in `exact-identifiers.ts`) compare
 * byte for byte: on MySQL/MariaDB they get the server's NO PAD binary collation from the
 * migrations or, after `synchronize`, at start (a decorator cannot know the server).
 */
@Entity({ name: TABLES.sessions })
@Index('idx_nest_session_user', ['userId', 'tenantId'])
@Index('idx_nest_session_expires', ['expiresAt'])
export class SessionEntity {
  @PrimaryColumn({ name: 'session_handle', type: 'varchar', length: 36 })
  sessionHandle!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 128 })
  tenantId!: string;

  /** SHA-256 of `refreshTokenHash1` of the current refresh token. */
  @Column({ name: 'refresh_hash', type: 'varchar', length: 64 })
  refreshHash!: string;

  /** Generation of the current refresh token (0 at creation, +1 per refresh). */
  @Column({ name: 'refresh_generation', type: 'int' })
  refreshGeneration!: number;

  /** Key of the refresh-token chain; never sent to a client. */
  @Column({ name: 'refresh_salt', type: 'varchar', length: 64 })
  refreshSalt!: string;

  @Column({ name: 'rotated_at', type: 'bigint', transformer: epochMsTransformer })
  rotatedAt!: number;

  @Column({ name: 'anti_csrf_token', type: 'varchar', length: 64, nullable: true })
  antiCsrfToken!: string | null;

  @Column({ name: 'access_token_payload', type: 'json' })
  // Typed loosely: TypeORM's deep-partial types recurse forever on a recursive JSON type.
  accessTokenPayload!: Record<string, any>;

  @Column({ name: 'session_data', type: 'json' })
  sessionData!: Record<string, any>;

  /** Bumped by every payload write, so such a write always changes the row (MySQL counts only changed rows). */
  @Column({ name: 'payload_version', type: 'int', default: 1 })
  payloadVersion!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMsTransformer })
  createdAt!: number;

  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMsTransformer })
  expiresAt!: number;
}
