import type { JSONValue } from '../json';

/**
 * Per-call context passed to claim fetchers and validators. The module fills `moduleRef`
 * (the Nest `ModuleRef` of the app that owns the session) and, inside a request, `request`,
 * so a `fetchValue` can reach providers without global singletons.
 */
export interface UserContext {
  [key: string]: unknown;
  moduleRef?: import('@nestjs/core').ModuleRef;
  request?: unknown;
}

/** What a validator answers: valid, or invalid with an optional JSON reason. */
export type ClaimValidationResult = { isValid: true } | { isValid: false; reason?: JSONValue };

/** One failed validator, as sent in the 403 body. */
export interface ClaimValidationError {
  id: string;
  reason?: JSONValue;
}
