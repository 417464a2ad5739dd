import { SessionConfigError } from '../errors/session-config-error';
import type { SessionModuleOptions } from './session-module-options';

/** Checks one value (never `undefined`: an absent option takes its default); returns what it expected, or undefined when it fits. */
type Check = (value: unknown, path: string, problems: string[]) => string | undefined;

const number: Check = (v) => (typeof v === 'number' ? undefined : 'a number');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'a boolean');
const string: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
const fn: Check = (v) => (typeof v === 'function' ? undefined : 'a function');
const array: Check = (v) => (Array.isArray(v) ? undefined : 'an array');
const object: Check = (v) => (isObject(v) ? undefined : 'an object');
const either =
  (a: Check, b: Check): Check =>
  (v, path, problems) => {
    const first = a(v, path, problems);
    const second = first && b(v, path, problems);
    return first && second ? `${first} or ${second}` : undefined;
  };
/** A nested options object: its own known keys, each checked. */
const shape =
  (checks: Record<string, Check>): Check =>
  (v, path, problems) => {
    if (!isObject(v)) return 'an object';
    checkObject(v, checks, `${path}.`, problems);
    return undefined;
  };
const databaseOptions: Check = (v) => (isObject(v) && typeof v.type === 'string' ? undefined : 'TypeORM DataSourceOptions (an object with a "type")');

/**
 * Every option of `SessionModuleOptions` and how to check it. Typed over all the interface's
 * keys, so an option added there does not compile until it is listed here (and so cannot be
 * rejected as unknown, nor escape the check).
 */
const OPTION_CHECKS: { [K in keyof Required<SessionModuleOptions>]: Check } = {
  database: databaseOptions,
  dataSource: object,
  synchronize: boolean,
  store: object,
  signingKeyStore: object,
  roleStore: object,
  accessTokenValidity: number,
  accessTokenJitter: number,
  refreshTokenValidity: number,
  refreshGracePeriod: number,
  apiBasePath: string,
  issuer: string,
  cookieSecure: boolean,
  cookieSameSite: string, // the allowed values: resolveSessionConfig
  cookieDomain: string,
  antiCsrf: string,
  getTokenTransferMethod: fn,
  signingAlgorithm: string,
  signingKeyRotationInterval: number,
  verifiedTokenCacheSize: number,
  cleanupInterval: number,
  globalClaimValidators: either(array, fn),
  claimsToAddOnCreate: array,
  createNewSession: fn,
  // Often a class instance (its own fields are not handlers): only its kind is checked.
  errorHandlers: object,
  jwt: shape({ enable: boolean, propertyName: string, issuer: string, validitySeconds: number }),
  propagatePayloadChanges: shape({ intervalSeconds: number }),
  userRoles: shape({ addRolesToSession: boolean, addPermissionsToSession: boolean }),
  emailVerification: shape({ mode: string, isEmailVerified: fn }),
  requestProperty: string,
  olderCookieDomain: string,
  exposeAccessTokenToFrontendInCookieBasedAuth: boolean,
  clock: object,
  verifiedTokenCacheBytes: number,
  maxAccessTokenBytes: shape({ cookie: number, header: number }),
  cookieHostPrefix: boolean,
  revocationFeed: shape({ transport: string, redisUrl: string, channel: string, pollIntervalSeconds: number }),
  absoluteSessionLifetime: number,
  maxSessionsPerUser: number,
  sessionCapPolicy: string, // the allowed values: resolveSessionConfig
  recordAuthTime: boolean,
  auditLog: boolean,
  routeThrottle: shape({ refresh: shape({ limit: number, ttl: number, throttler: string }), signout: shape({ limit: number, ttl: number, throttler: string }) }),
  deviceMetadata: shape({ ipAddress: string, ipHashSecret: string, userAgent: boolean }),
};

/** Settings that belong next to `useFactory` (read when the module is declared), not in the options. */
const DECLARATION_TIME = ['isGlobal', 'globalGuard', 'dataSourceName'];

/**
 * Rejects, at start, options of the wrong type or with unknown keys, the way a `forRootAsync`
 * factory (config files, environment variables) gets them wrong: `accessTokenValidity: '3600'`
 * says `expected a number, got string "3600"`, a typo names the key (and the option it probably
 * meant). TypeScript catches these in `forRoot({...})` literals; factories often return `any`.
 */
export function validateSessionOptions(options: unknown): void {
  const problems: string[] = [];
  if (!isObject(options)) {
    problems.push(`expected an object, got ${describe(options)}`);
  } else {
    checkObject(options, OPTION_CHECKS, '', problems);
  }
  if (problems.length > 0) {
    throw new SessionConfigError(`invalid SessionModule options: ${problems.join('; ')}`);
  }
}

function checkObject(value: Record<string, unknown>, checks: Record<string, Check>, prefix: string, problems: string[]): void {
  for (const [key, v] of Object.entries(value)) {
    const check = checks[key];
    if (!check) {
      problems.push(unknownKey(prefix, key, Object.keys(checks)));
      continue;
    }
    if (v === undefined) continue;
    const expected = check(v, `${prefix}${key}`, problems);
    if (expected) problems.push(`${prefix}${key}: expected ${expected}, got ${describe(v)}`);
  }
}

function unknownKey(prefix: string, key: string, known: string[]): string {
  if (prefix === '' && DECLARATION_TIME.includes(key)) {
    return `"${key}" is read when the module is declared: pass it to forRoot/forRootAsync next to useFactory, not in the options`;
  }
  const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return `unknown option "${prefix}${key}"${near ? ` (did you mean "${prefix}${near}"?)` : ''}`;
}

/** The received value's type, and the value itself when short: `string "3600"`, `number NaN`, `null`, `array`. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Levenshtein distance, for "did you mean" on short option names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
