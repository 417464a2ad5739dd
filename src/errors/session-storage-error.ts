import { HttpException } from '@nestjs/common';

/**
 * A session, key or role store call failed (database down, connection killed, file read-only,
 * a statement refused). The message names the operation and the driver's error code and class,
 * never a statement's parameters (session data, refresh salt, anti-CSRF token...), and the
 * driver error is not kept. A 503 JSON answer when it reaches HTTP; the client keeps its tokens
 * (an outage must not sign anyone out) and can retry.
 */
export class SessionStorageError extends HttpException {
  override readonly name: string = 'SessionStorageError';

  constructor(
    /** The store and method that failed, e.g. `SessionStore.create`. */
    readonly operation: string,
    /** The driver's error code (`ECONNREFUSED`, `57P01`, `SQLITE_READONLY`...), when it gave one. */
    readonly code: string | undefined,
    /** The driver's message with every quoted or bracketed value removed. */
    readonly detail: string,
  ) {
    super({ statusCode: 503, message: 'the session store is unavailable; try again', error: 'Service Unavailable' }, 503);
    this.message = `${operation} failed${code ? ` (${code})` : ''}: ${detail}`;
  }
}
