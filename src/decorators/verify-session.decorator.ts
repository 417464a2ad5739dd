import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { AuthGuard } from '../guards/auth.guard';
import type { VerifySessionOptions } from '../guards/verify-session-options';
import { VERIFY_SESSION_METADATA } from '../session.constants';

/**
 * Requires a session on a route or controller with these options (SuperTokens' `verifySession`).
 * Adds `AuthGuard`; with `globalGuard: true`, the global guard reads the same options.
 */
export function VerifySession(options: VerifySessionOptions = {}) {
  return applyDecorators(SetMetadata(VERIFY_SESSION_METADATA, options), UseGuards(AuthGuard));
}
