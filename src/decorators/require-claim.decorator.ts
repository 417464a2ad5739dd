import type { SessionClaimValidator } from '../claims/session-claim-validator';
import { REQUIRE_CLAIM_METADATA } from '../session.constants';

/**
 * Adds claim validators to a route (method) or to every route of a controller (class), on top
 * of the global ones. Requirements stack: class + method, and repeated decorators, all apply.
 * The route still needs an `AuthGuard` (global, `@UseGuards` or `@VerifySession`) to check them.
 */
export function RequireClaim(...validators: SessionClaimValidator[]): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor ? descriptor.value : target;
    const existing: SessionClaimValidator[] = Reflect.getMetadata(REQUIRE_CLAIM_METADATA, holder) ?? [];
    // Decorators run bottom-up; prepend so the list reads in source order.
    Reflect.defineMetadata(REQUIRE_CLAIM_METADATA, [...validators, ...existing], holder);
    return descriptor as never;
  };
}
