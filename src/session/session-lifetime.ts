import type { SessionConfig } from '../config/session-config';

/** When a session created at `createdAt` ends by the absolute timeout (epoch ms); undefined without one. */
export function absoluteEndOf(config: Pick<SessionConfig, 'absoluteSessionLifetime'>, createdAt: number): number | undefined {
  return config.absoluteSessionLifetime === undefined ? undefined : createdAt + config.absoluteSessionLifetime * 1000;
}

/**
 * The stored expiry after a creation or refresh at `now`: the idle timeout slides from now, the
 * absolute one stays fixed at creation + `absoluteSessionLifetime`, whichever comes first. Both
 * are then enforced by every store read (`expires_at > now`): refresh, `checkDatabase`, offline calls.
 */
export function sessionExpiryAt(config: Pick<SessionConfig, 'absoluteSessionLifetime' | 'refreshTokenValidity'>, createdAt: number, now: number): number {
  const idle = now + config.refreshTokenValidity * 1000;
  const absolute = absoluteEndOf(config, createdAt);
  return absolute === undefined ? idle : Math.min(idle, absolute);
}
