import { createHmac, createHash } from 'node:crypto';
import type { DeviceMetadataConfig } from '../config/session-config';
import type { ClientMetadata } from '../storage/session-record';
import { requestHeader, type RequestLike } from '../transport/http-objects';

const MAX_USER_AGENT = 512;

/**
 * The client of a request: `request.ip` as the framework computes it (Express honours its
 * `trust proxy` setting, Fastify its `trustProxy`, so `X-Forwarded-For` counts only from proxies
 * the app trusts), and the `User-Agent` header. Both null outside a request.
 */
export function clientMetadataOf(request: RequestLike | undefined, config: DeviceMetadataConfig): ClientMetadata {
  if (!request) return { ip: null, userAgent: null };
  const userAgent = config.userAgent ? (requestHeader(request, 'user-agent')?.slice(0, MAX_USER_AGENT) ?? null) : null;
  return { ip: recordedIp(requestIp(request), config), userAgent };
}

function requestIp(request: RequestLike): string | undefined {
  const direct = request.ip;
  const socket = (request.socket ?? (request.raw as { socket?: unknown } | undefined)?.socket) as { remoteAddress?: string } | undefined;
  const ip = typeof direct === 'string' && direct ? direct : socket?.remoteAddress;
  // IPv4 clients of a dual-stack server show as IPv4-mapped IPv6 addresses.
  return ip?.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

function recordedIp(ip: string | undefined, config: DeviceMetadataConfig): string | null {
  if (!ip || config.ipAddress === 'off') return null;
  if (config.ipAddress === 'plain') return ip.slice(0, 64);
  const hash = config.ipHashSecret ? createHmac('sha256', config.ipHashSecret) : createHash('sha256');
  return hash.update(ip).digest('hex');
}
