/** A write tried to set a key the session layer owns (`sub`, `exp`, ...); nothing was written. */
export class ProtectedPayloadKeyError extends Error {
  override readonly name: string = 'ProtectedPayloadKeyError';

  constructor(readonly key: string) {
    super(`"${key}" is a protected access-token payload key and cannot be set by the application`);
  }
}

/** A payload change would make the access token longer than verification accepts; nothing was issued. */
export class PayloadTooLargeError extends Error {
  override readonly name: string = 'PayloadTooLargeError';

  constructor(
    readonly tokenLength: number,
    readonly limit: number,
  ) {
    super(`the access token would be ${tokenLength} bytes (limit ${limit}): keep large data in session data, not in the payload`);
  }
}
