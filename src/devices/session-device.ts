import type { SessionRecord } from '../storage/session-record';
import { type DeviceLabel, parseUserAgent } from './user-agent-label';

/** One entry of `listSessionsForUser`: a session with its device metadata. */
export interface SessionDevice {
  sessionHandle: string;
  userId: string;
  tenantId: string;
  /** Creation time, epoch ms. */
  timeCreated: number;
  /** Last refresh, epoch ms (the creation time until the first refresh). */
  lastRefreshedAt: number;
  /** When the session ends unless refreshed (idle timeout, capped by `absoluteSessionLifetime`), epoch ms. */
  expiry: number;
  /** IP at creation (hashed with `deviceMetadata.ipAddress: 'hashed'`, null when off or unknown). */
  createdIp: string | null;
  createdUserAgent: string | null;
  /** IP and user agent of the last refresh (the creation's until then). */
  lastIp: string | null;
  lastUserAgent: string | null;
  /** Parsed from the latest user agent. */
  device: DeviceLabel;
  /** True for the session of the request that asked (online listing). */
  current: boolean;
}

/** A stored session as a device entry; the device is parsed from the latest user agent known. */
export function toSessionDevice(record: SessionRecord, currentHandle?: string): SessionDevice {
  const lastUserAgent = record.lastUserAgent ?? record.createdUserAgent ?? null;
  return {
    sessionHandle: record.sessionHandle,
    userId: record.userId,
    tenantId: record.tenantId,
    timeCreated: record.createdAt,
    lastRefreshedAt: record.rotatedAt,
    expiry: record.expiresAt,
    createdIp: record.createdIp ?? null,
    createdUserAgent: record.createdUserAgent ?? null,
    lastIp: record.lastIp ?? record.createdIp ?? null,
    lastUserAgent,
    device: parseUserAgent(lastUserAgent),
    current: record.sessionHandle === currentHandle,
  };
}
