/** Settings of the sample app, read from the environment when the app boots (not when it is imported). */
export interface SampleConfig {
  /** SQLite file shared by the users table and the session tables (`SAMPLE_DB`, default `sample-app.sqlite`; `:memory:` in tests). */
  databaseFile: string;
  /** HTTP port (`PORT`, default 3000). */
  port: number;
  /** Access-token lifetime in seconds (`ACCESS_TOKEN_VALIDITY`, default 3600); set it low to watch refreshes happen. */
  accessTokenValidity: number;
}

/** Injection token of the {@link SampleConfig}. */
export const SAMPLE_CONFIG = 'sample-app:config';

/** Reads the environment; throws on values that cannot work, so a typo fails at start. */
export function loadSampleConfig(env: NodeJS.ProcessEnv = process.env): SampleConfig {
  return {
    databaseFile: env.SAMPLE_DB?.trim() || 'sample-app.sqlite',
    port: integer('PORT', env.PORT, 3000, 0, 65535),
    accessTokenValidity: integer('ACCESS_TOKEN_VALIDITY', env.ACCESS_TOKEN_VALIDITY, 3600, 1, Number.MAX_SAFE_INTEGER),
  };
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}
