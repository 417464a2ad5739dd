import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { AuthGuard } from '../guards/auth.guard';
import { PUBLIC_METADATA, VERIFY_SESSION_METADATA } from '../session.constants';
import type { VerifySessionOptions } from '../session/verify-session-options';

/**
 * Requires a session on a route or controller with these options (SuperTokens' `verifySession`).
 * Adds `AuthGuard`; with `globalGuard: true`, the global guard reads the same options. It also
 * marks the target not public, so a method with it stays protected inside a `@Public()` class.
 */
export function VerifySession(options: VerifySessionOptions = {}) {
  return applyDecorators(SetMetadata(VERIFY_SESSION_METADATA, options), SetMetadata(PUBLIC_METADATA, false), UseGuards(AuthGuard));
}
