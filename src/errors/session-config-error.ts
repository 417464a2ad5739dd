/** A programming error in how the module is configured or called (not a client error). */
export class SessionConfigError extends Error {
  override readonly name: string = 'SessionConfigError';
}

/** Thrown when a write tries to set a key the session layer owns (`sub`, `exp`, ...). */
export class ProtectedPayloadKeyError extends SessionConfigError {
  override readonly name: string = 'ProtectedPayloadKeyError';

  constructor(readonly key: string) {
    super(`"${key}" is a protected access-token payload key and cannot be set by the application`);
  }
}
