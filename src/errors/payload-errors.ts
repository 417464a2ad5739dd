import { HttpException } from '@nestjs/common';

/**
 * A write of the access-token payload or the session data was refused before anything was
 * stored or issued: the application asked for something the session layer cannot keep (a
 * protected key, a token too large for its transport, JSON a database cannot store). It is a
 * client error of the route that asked for it: the module's filter answers 400 with
 * `{ message, error }` (and the error's details), and the session stays as it was.
 */
export abstract class SessionWriteRefusedError extends HttpException {
  constructor(message: string, name: string, details: Record<string, unknown> = {}) {
    super({ statusCode: 400, message, error: name, ...details }, 400);
    this.name = name;
  }
}

/** A write tried to set a key the session layer owns (`sub`, `exp`, ...); nothing was written. */
export class ProtectedPayloadKeyError extends SessionWriteRefusedError {
  constructor(readonly key: string) {
    super(`"${key}" is a protected access-token payload key and cannot be set by the application`, 'ProtectedPayloadKeyError', { key });
  }
}

/**
 * A payload change would make the access token longer than its transfer method allows
 * (`maxAccessTokenBytes`); nothing was stored or issued. `limit` is the limit that applied.
 */
export class PayloadTooLargeError extends SessionWriteRefusedError {
  constructor(
    readonly tokenLength: number | undefined,
    readonly limit: number,
  ) {
    super(
      tokenLength === undefined
        ? `the access token would exceed ${limit} bytes: keep large data in session data, not in the payload`
        : `the access token would be ${tokenLength} bytes (limit ${limit}): keep large data in session data, not in the payload`,
      'PayloadTooLargeError',
      { limit },
    );
  }
}

/**
 * A payload or session-data value is not JSON every supported database stores the same way:
 * nested deeper than `MAX_JSON_DEPTH`, a string with a lone UTF-16 surrogate or U+0000
 * (in a value or a key), a number that is not finite, or something JSON has no form for.
 * `path` locates the value (`$.a.b[2]`); the value itself is never echoed (it may be private).
 */
export class InvalidJsonValueError extends SessionWriteRefusedError {
  constructor(
    readonly what: 'accessTokenPayload' | 'sessionDataInDatabase',
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${what} at ${path}: ${reason}`, 'InvalidJsonValueError', { path, reason });
  }
}
