import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { SessionConfig } from '../config/session-config';
import { SessionConfigError } from '../errors/session-config-error';
import { SESSION_CONFIG, SESSION_DATA_SOURCE } from '../session.constants';
import { SessionAuditEntity } from '../storage/entities/session-audit.entity';
import type { SessionEvent } from './session-event';
import type { SessionEventsListener } from './session-events-listener';
import { SessionEvents } from './session-events';

/**
 * The shipped audit listener (`auditLog: true`): one row per lifecycle event in
 * `nest_session_audit` (type, reason or reuse kind, session, user, tenant, IP, user agent, time).
 * Read it with `@InjectSessionDataSource()` and the exported `SessionAuditEntity`.
 */
@Injectable()
export class SessionAuditLog implements SessionEventsListener, OnModuleInit {
  private repository?: Repository<SessionAuditEntity>;

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SESSION_DATA_SOURCE) private readonly dataSource: DataSource | undefined,
    private readonly events: SessionEvents,
  ) {}

  onModuleInit(): void {
    if (!this.config.auditLog) return;
    if (!this.dataSource) throw new SessionConfigError('auditLog needs a DataSource (it writes nest_session_audit); with custom stores, listen with @SessionListener() instead');
    this.repository = this.dataSource.getRepository(SessionAuditEntity);
    this.events.add(this);
  }

  async onSessionEvent(event: SessionEvent): Promise<void> {
    const row: SessionAuditEntity = {
      id: randomUUID(),
      at: event.at,
      type: event.type,
      reason: event.type === 'session.revoked' ? event.reason : event.type === 'session.token-theft' ? event.reuseKind : null,
      sessionHandle: event.sessionHandle,
      userId: event.userId,
      tenantId: event.tenantId,
      ip: 'ip' in event ? event.ip : null,
      userAgent: 'userAgent' in event ? event.userAgent : null,
    };
    await this.repository!.insert(row);
  }
}
