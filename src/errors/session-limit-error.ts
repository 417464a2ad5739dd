import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A new session was refused: the user already has `maxSessionsPerUser` sessions and the policy
 * is `deny`. Nest answers it as 409 JSON `{ statusCode, message, error: 'SessionLimitReachedError',
 * maxSessionsPerUser }`; nothing was stored.
 */
export class SessionLimitReachedError extends HttpException {
  override readonly name: string = 'SessionLimitReachedError';

  constructor(
    readonly userId: string,
    readonly tenantId: string,
    readonly maxSessionsPerUser: number,
  ) {
    super(
      {
        statusCode: HttpStatus.CONFLICT,
        message: `this account already has ${maxSessionsPerUser} sessions: sign out on another device first`,
        error: 'SessionLimitReachedError',
        maxSessionsPerUser,
      },
      HttpStatus.CONFLICT,
    );
  }
}
