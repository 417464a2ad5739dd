import { HttpException } from '@nestjs/common';

/**
 * An id given to the library (user id, tenant id, session handle, role, permission) is not a
 * non-empty string within its column's length. Thrown before any query, so `undefined` or `null`
 * can never widen one ("every session" for a missing user id). A 400 JSON answer when it reaches
 * HTTP; the message names the argument, never its value.
 */
export class InvalidIdentifierError extends HttpException {
  override readonly name: string = 'InvalidIdentifierError';

  constructor(
    readonly field: string,
    readonly maxLength: number,
  ) {
    const message = `${field} must be a non-empty string of at most ${maxLength} characters`;
    super({ statusCode: 400, message, error: 'Bad Request' }, 400);
    this.message = message;
  }
}
