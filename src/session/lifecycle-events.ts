import type { SessionConfig } from '../config/session-config';
import type { SessionRevokedEvent, SessionRevokeReason } from '../events/session-event';
import type { SessionRecord } from '../storage/session-record';
import { absoluteEndOf } from './session-lifetime';

/** A `session.revoked` event. */
export function revokedEvent(
  session: Pick<SessionRecord, 'sessionHandle' | 'userId' | 'tenantId'>,
  reason: SessionRevokeReason,
  at: number,
): SessionRevokedEvent {
  return { type: 'session.revoked', sessionHandle: session.sessionHandle, userId: session.userId, tenantId: session.tenantId, reason, at };
}

/** Why an expired session ended: its stored expiry was the absolute end, or the idle timeout came first. */
export function expiryReasonOf(config: Pick<SessionConfig, 'absoluteSessionLifetime'>, record: Pick<SessionRecord, 'createdAt' | 'expiresAt'>): SessionRevokeReason {
  const absoluteEnd = absoluteEndOf(config, record.createdAt);
  return absoluteEnd !== undefined && record.expiresAt >= absoluteEnd ? 'absolute-timeout' : 'idle-expiry';
}
