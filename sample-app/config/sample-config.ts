/** Settings of the sample app, read from the environment when the app boots (not when it is imported). */
export interface SampleConfig {
  /** SQLite file shared by the users table and the session tables (`SAMPLE_DB`, default `sample-app.sqlite`; `:memory:` in tests). */
  databaseFile: string;
  /** HTTP port (`PORT`, default 3000). */
  port: number;
  /** Access-token lifetime in seconds (`ACCESS_TOKEN_VALIDITY`, default 3600); set it low to watch refreshes happen. */
  accessTokenValidity: number;
  /** Base of the links the app sends, e.g. email-verification links (`PUBLIC_URL`, default `http://localhost:<port>`). */
  publicUrl: string;
  /**
   * Origins of pages served elsewhere that call this API with credentials (`WEBSITE_ORIGIN`,
   * comma-separated, e.g. `http://localhost:5173`); empty (the default) turns CORS off, which is
   * right for the page this app serves itself.
   */
  websiteOrigins: string[];
  /** Seconds a just-rotated refresh token still refreshes without a theft alarm (`REFRESH_GRACE_PERIOD`, default 30). */
  refreshGracePeriod: number;
  /** How the page this app serves keeps its tokens (`TOKEN_TRANSFER_METHOD`: `cookie`, the default, or `header`). */
  tokenTransferMethod: 'cookie' | 'header';
  /**
   * Step-up window in seconds (`STEP_UP_MAX_AGE`, default 300): signing out another device needs
   * a sign-in or a password re-entry at most this old, whatever refreshes happened since.
   */
  stepUpMaxAge: number;
}

/** Injection token of the {@link SampleConfig}. */
export const SAMPLE_CONFIG = 'sample-app:config';

/** Reads the environment; throws on values that cannot work, so a typo fails at start. */
export function loadSampleConfig(env: NodeJS.ProcessEnv = process.env): SampleConfig {
  const port = integer('PORT', env.PORT, 3000, 0, 65535);
  return {
    databaseFile: env.SAMPLE_DB?.trim() || 'sample-app.sqlite',
    port,
    accessTokenValidity: integer('ACCESS_TOKEN_VALIDITY', env.ACCESS_TOKEN_VALIDITY, 3600, 1, Number.MAX_SAFE_INTEGER),
    publicUrl: url('PUBLIC_URL', env.PUBLIC_URL, `http://localhost:${port}`),
    websiteOrigins: origins('WEBSITE_ORIGIN', env.WEBSITE_ORIGIN),
    refreshGracePeriod: integer('REFRESH_GRACE_PERIOD', env.REFRESH_GRACE_PERIOD, 30, 0, 24 * 60 * 60),
    tokenTransferMethod: oneOf('TOKEN_TRANSFER_METHOD', env.TOKEN_TRANSFER_METHOD, ['cookie', 'header'] as const, 'cookie'),
    stepUpMaxAge: integer('STEP_UP_MAX_AGE', env.STEP_UP_MAX_AGE, 300, 0, 24 * 60 * 60),
  };
}

function origins(name: string, raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const parsed = url(name, entry, '');
    if (new URL(parsed).origin !== parsed) throw new Error(`${name} takes origins (scheme://host[:port], no path), got "${entry.trim()}"`);
    return parsed;
  });
}

function oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return value as T;
}

function url(name: string, raw: string | undefined, fallback: string): string {
  if (raw === undefined || raw.trim() === '') return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    throw new Error(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  return parsed.origin + parsed.pathname.replace(/\/+$/, '');
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}
