import type { RouteThrottle, RouteThrottleOptions } from '../config/session-module-options';

// The metadata keys `@Throttle()` of @nestjs/throttler writes (its THROTTLER_LIMIT / THROTTLER_TTL
// constants, suffixed with the throttler's name): set directly, so the module never loads it.
const LIMIT = 'THROTTLER:LIMIT';
const TTL = 'THROTTLER:TTL';

/**
 * Gives the built-in refresh and signout routes their own `@nestjs/throttler` limits (the
 * `routeThrottle` option), as `@Throttle({ [name]: { limit, ttl } })` on them would. It only takes
 * effect where the app runs `ThrottlerGuard` (usually as `APP_GUARD`); without this option that
 * guard applies the app's default limits to these routes like to any other.
 */
export function applyRouteThrottles(handlers: { refresh: object; signOut: object }, options: RouteThrottleOptions | undefined): void {
  if (!options) return;
  mark(handlers.refresh, options.refresh);
  mark(handlers.signOut, options.signout);
}

function mark(handler: object, throttle: RouteThrottle | undefined): void {
  if (!throttle) return;
  const name = throttle.throttler ?? 'default';
  Reflect.defineMetadata(`${LIMIT}${name}`, throttle.limit, handler);
  Reflect.defineMetadata(`${TTL}${name}`, throttle.ttl, handler);
}
