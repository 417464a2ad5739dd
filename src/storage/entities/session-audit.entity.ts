import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../epoch-ms.transformer';
import { TABLES } from '../table-names';

/** One session lifecycle event, written by the audit log (`auditLog: true`). */
@Entity({ name: TABLES.audit })
@Index('idx_nest_session_audit_user', ['userId', 'at'])
@Index('idx_nest_session_audit_at', ['at'])
export class SessionAuditEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'at', type: 'bigint', transformer: epochMsTransformer })
  at!: number;

  /** The event type: `session.created`, `session.revoked`, ... */
  @Column({ name: 'type', type: 'varchar', length: 32 })
  type!: string;

  /** Why a session ended (`session.revoked`), or the reuse kind (`session.token-theft`). */
  @Column({ name: 'reason', type: 'varchar', length: 32, nullable: true })
  reason!: string | null;

  @Column({ name: 'session_handle', type: 'varchar', length: 36, nullable: true })
  sessionHandle!: string | null;

  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true })
  userId!: string | null;

  @Column({ name: 'tenant_id', type: 'varchar', length: 128, nullable: true })
  tenantId!: string | null;

  @Column({ name: 'ip', type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;
}
