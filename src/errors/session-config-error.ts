/**
 * The module is configured or wired wrongly (an impossible option, a DataSource without the
 * session tables, a guard in an app without the module): found at start or on first use, fixed
 * in code, never a client error.
 */
export class SessionConfigError extends Error {
  override readonly name: string = 'SessionConfigError';
}
