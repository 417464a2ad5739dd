import { SetMetadata } from '@nestjs/common';
import { PUBLIC_METADATA } from '../session.constants';

/**
 * Opts a route (or a whole controller) out of session verification by a global or
 * class-level `AuthGuard`. `@Public(false)` on a method re-protects it inside a public class.
 */
export const Public = (isPublic = true) => SetMetadata(PUBLIC_METADATA, isPublic);
