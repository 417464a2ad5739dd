import type { DataSource, DataSourceOptions } from 'typeorm';
import { type Clock, systemClock } from '../clock';
import { SessionConfigError } from '../errors/session-config-error';
import type { SessionCap, SessionCapPolicy } from '../storage/session-cap';
import type {
  AntiCsrfMode,
  CookieSameSite,
  DeviceMetadataOptions,
  EmailVerificationOptions,
  IpAddressMode,
  UserRolesOptions,
  SessionModuleExtras,
  SessionModuleOptions,
  SigningAlgorithm,
} from './session-module-options';
import { type ResolvedRevocationFeed, resolveRevocationFeed } from './revocation-feed-options';
import { validateSessionOptions } from './validate-options';

/** The options with every default filled in; what the rest of the module reads. */
export interface SessionConfig
  extends Required<
    Omit<
      SessionModuleOptions,
      | 'database'
      | 'dataSource'
      | 'synchronize'
      | 'store'
      | 'signingKeyStore'
      | 'roleStore'
      | 'cookieDomain'
      | 'olderCookieDomain'
      | 'getTokenTransferMethod'
      | 'globalClaimValidators'
      | 'createNewSession'
      | 'jwt'
      | 'userRoles'
      | 'emailVerification'
      | 'propagatePayloadChanges'
      | 'deviceMetadata'
      | 'absoluteSessionLifetime'
      | 'maxSessionsPerUser'
      | 'sessionCapPolicy'
      | 'routeThrottle'
      | 'maxAccessTokenBytes'
      | 'revocationFeed'
    >
  > {
  database: DataSourceOptions;
  dataSource?: DataSource;
  /** Undefined: the module decides (see `openSessionDataSource`). */
  synchronize?: boolean;
  store?: SessionModuleOptions['store'];
  signingKeyStore?: SessionModuleOptions['signingKeyStore'];
  roleStore?: SessionModuleOptions['roleStore'];
  cookieDomain?: string;
  olderCookieDomain?: string;
  getTokenTransferMethod?: SessionModuleOptions['getTokenTransferMethod'];
  globalClaimValidators?: SessionModuleOptions['globalClaimValidators'];
  createNewSession?: SessionModuleOptions['createNewSession'];
  jwt: { enable: boolean; propertyName: string; issuer: string; validitySeconds: number };
  userRoles: Required<UserRolesOptions>;
  /** Seconds between database checks per session; undefined when propagation is off. */
  propagationIntervalSeconds?: number;
  emailVerification?: EmailVerificationOptions;
  /** The revocation feed; undefined when off. */
  revocationFeed?: ResolvedRevocationFeed;
  /** `{apiBasePath}/session/refresh`, the refresh cookie's path. */
  refreshPath: string;
  deviceMetadata: DeviceMetadataConfig;
  /** Seconds from creation; undefined: sessions end only by the idle timeout. */
  absoluteSessionLifetime?: number;
  routeThrottle?: SessionModuleOptions['routeThrottle'];
  /** The per-user cap; undefined: none. */
  sessionCap?: SessionCap;
  /** Largest access token issued per transfer method (see the option). */
  maxAccessTokenBytes: { cookie: number; header: number };
  /** Cookie names: SuperTokens' `sAccessToken` / `sRefreshToken`, prefixed with `cookieHostPrefix`. */
  cookieNames: { access: string; refresh: string };
}

/** The resolved `deviceMetadata` option. */
export interface DeviceMetadataConfig {
  ipAddress: IpAddressMode;
  ipHashSecret?: string;
  userAgent: boolean;
}

/** What verification accepts; no limit may be above it. */
const MAX_VERIFIED_TOKEN_BYTES = 16 * 1024;
/** Browsers keep cookies whose whole `Set-Cookie` value (name, value, attributes) stays within this. */
const COOKIE_BYTES = 4095;
/** Header-mode default: token + front-token within Node's 16 KiB header limit. */
const DEFAULT_HEADER_TOKEN_BYTES = 7168;

const DAY = 24 * 60 * 60;
const ALGORITHMS: SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];
const SAME_SITE: CookieSameSite[] = ['lax', 'strict', 'none'];
const ANTI_CSRF: AntiCsrfMode[] = ['VIA_TOKEN', 'VIA_CUSTOM_HEADER', 'NONE'];

/** Fill defaults (SuperTokens' where it has one) and reject impossible settings at start. */
export function resolveSessionConfig(options: SessionModuleOptions, extras: SessionModuleExtras): SessionConfig {
  validateSessionOptions(options);
  // Routes are mounted at declaration (extras), before an async factory runs; the options may
  // only repeat that path, or the refresh cookie's path would not match the refresh route.
  checkPathOption('apiBasePath', extras.apiBasePath);
  checkPathOption('apiBasePath', options.apiBasePath);
  const mounted = normalisePath(extras.apiBasePath ?? '/auth');
  if (options.apiBasePath !== undefined && normalisePath(options.apiBasePath) !== mounted) {
    throw new SessionConfigError(
      `apiBasePath ${JSON.stringify(options.apiBasePath)} from the options factory differs from the mounted "${mounted}"; with forRootAsync, give apiBasePath next to useFactory`,
    );
  }
  const apiBasePath = mounted;
  const cookieSameSite = options.cookieSameSite ?? 'lax';
  const cookieSecure = options.cookieSecure ?? false;
  if (typeof cookieSecure !== 'boolean') throw new SessionConfigError('cookieSecure must be true or false');
  const cookieDomain = checkCookieDomain(options.cookieDomain);
  const cookieHostPrefix = options.cookieHostPrefix ?? false;
  if (cookieHostPrefix && (!cookieSecure || cookieDomain !== undefined)) {
    throw new SessionConfigError('cookieHostPrefix requires cookieSecure: true and no cookieDomain (browsers refuse __Host- cookies otherwise)');
  }
  const cookieNames = cookieHostPrefix ? { access: '__Host-sAccessToken', refresh: '__Secure-sRefreshToken' } : { access: 'sAccessToken', refresh: 'sRefreshToken' };
  const antiCsrf = options.antiCsrf ?? (cookieSameSite === 'none' ? 'VIA_CUSTOM_HEADER' : 'NONE');
  const signingAlgorithm = options.signingAlgorithm ?? 'RS256';
  const issuer = options.issuer ?? 'nest-session';
  const accessTokenValidity = positive('accessTokenValidity', options.accessTokenValidity ?? 3600);

  if (!SAME_SITE.includes(cookieSameSite)) {
    throw new SessionConfigError(`cookieSameSite must be one of ${SAME_SITE.join(', ')} (lower case), got ${JSON.stringify(cookieSameSite)}`);
  }
  if (!ANTI_CSRF.includes(antiCsrf)) throw new SessionConfigError(`antiCsrf must be one of ${ANTI_CSRF.join(', ')}`);
  if (!ALGORITHMS.includes(signingAlgorithm)) throw new SessionConfigError(`signingAlgorithm must be one of ${ALGORITHMS.join(', ')}`);
  if (cookieSameSite === 'none' && !cookieSecure) {
    throw new SessionConfigError('cookieSameSite "none" requires cookieSecure: true (browsers drop such cookies otherwise)');
  }

  return {
    database: options.database ?? { type: 'better-sqlite3', database: 'sessions.sqlite' },
    dataSource: options.dataSource,
    synchronize: options.synchronize,
    store: options.store,
    signingKeyStore: options.signingKeyStore,
    roleStore: options.roleStore,
    accessTokenValidity,
    accessTokenJitter: fraction('accessTokenJitter', options.accessTokenJitter ?? 0.05),
    refreshTokenValidity: positive('refreshTokenValidity', options.refreshTokenValidity ?? 100 * DAY),
    absoluteSessionLifetime:
      options.absoluteSessionLifetime === undefined ? undefined : positive('absoluteSessionLifetime', options.absoluteSessionLifetime),
    refreshGracePeriod: nonNegative('refreshGracePeriod', options.refreshGracePeriod ?? 30),
    apiBasePath,
    refreshPath: `${apiBasePath === '/' ? '' : apiBasePath}/session/refresh`,
    issuer,
    cookieSecure,
    cookieSameSite,
    cookieDomain,
    cookieHostPrefix,
    cookieNames,
    maxAccessTokenBytes: tokenLimits(options.maxAccessTokenBytes, {
      name: cookieNames.access,
      sameSite: cookieSameSite,
      secure: cookieSecure,
      domain: cookieDomain,
    }),
    verifiedTokenCacheBytes: nonNegative('verifiedTokenCacheBytes', options.verifiedTokenCacheBytes ?? 32 * 1024 * 1024),
    olderCookieDomain: olderCookieDomain(options.olderCookieDomain, cookieDomain),
    exposeAccessTokenToFrontendInCookieBasedAuth: options.exposeAccessTokenToFrontendInCookieBasedAuth ?? false,
    antiCsrf,
    getTokenTransferMethod: options.getTokenTransferMethod,
    signingAlgorithm,
    signingKeyRotationInterval: positive('signingKeyRotationInterval', options.signingKeyRotationInterval ?? 7 * DAY),
    verifiedTokenCacheSize: nonNegative('verifiedTokenCacheSize', options.verifiedTokenCacheSize ?? 10000),
    cleanupInterval: nonNegative('cleanupInterval', options.cleanupInterval ?? 3600),
    globalClaimValidators: options.globalClaimValidators,
    claimsToAddOnCreate: options.claimsToAddOnCreate ?? [],
    createNewSession: options.createNewSession,
    errorHandlers: options.errorHandlers ?? {},
    jwt: {
      enable: options.jwt?.enable ?? false,
      propertyName: options.jwt?.propertyName ?? 'jwt',
      issuer: options.jwt?.issuer ?? issuer,
      validitySeconds: positive('jwt.validitySeconds', options.jwt?.validitySeconds ?? accessTokenValidity),
    },
    userRoles: {
      addRolesToSession: options.userRoles?.addRolesToSession ?? true,
      addPermissionsToSession: options.userRoles?.addPermissionsToSession ?? true,
    },
    emailVerification: emailVerification(options.emailVerification),
    propagationIntervalSeconds:
      options.propagatePayloadChanges === undefined
        ? undefined
        : nonNegative('propagatePayloadChanges.intervalSeconds', options.propagatePayloadChanges.intervalSeconds ?? 60),
    requestProperty: options.requestProperty ?? 'session',
    clock: clock(options.clock),
    deviceMetadata: deviceMetadata(options.deviceMetadata),
    recordAuthTime: options.recordAuthTime ?? false,
    auditLog: options.auditLog ?? false,
    routeThrottle: options.routeThrottle,
    sessionCap: sessionCap(options.maxSessionsPerUser, options.sessionCapPolicy),
    revocationFeed: resolveRevocationFeed(options.revocationFeed),
  };
}

/** `''` means the old cookies were host-only; the same domain as `cookieDomain` could not tell the two cookies apart. */
function olderCookieDomain(older: string | undefined, current: string | undefined): string | undefined {
  if (older === undefined) return undefined;
  if (typeof older !== 'string') throw new SessionConfigError('olderCookieDomain must be a string');
  if (older === (current ?? '')) throw new SessionConfigError(`olderCookieDomain "${older}" must differ from cookieDomain`);
  return older;
}

/** The clock every time rule reads; the system clock unless the app passes its own. */
function clock(option: Clock | undefined): Clock {
  if (option === undefined) return systemClock;
  if (typeof option?.now !== 'function') throw new SessionConfigError('clock must have a now() method returning epoch milliseconds');
  return option;
}

const CAP_POLICIES: SessionCapPolicy[] = ['evict-oldest', 'evict-least-recently-refreshed', 'deny'];

function sessionCap(max: number | undefined, policy: SessionCapPolicy | undefined): SessionCap | undefined {
  if (max === undefined) {
    if (policy !== undefined) throw new SessionConfigError('sessionCapPolicy needs maxSessionsPerUser');
    return undefined;
  }
  if (!Number.isInteger(max) || max < 1) throw new SessionConfigError(`maxSessionsPerUser must be a positive integer, got ${max}`);
  const chosen = policy ?? 'evict-oldest';
  if (!CAP_POLICIES.includes(chosen)) throw new SessionConfigError(`sessionCapPolicy must be one of ${CAP_POLICIES.join(', ')}`);
  return { max, policy: chosen };
}

const IP_MODES: IpAddressMode[] = ['plain', 'hashed', 'off'];

function deviceMetadata(option: DeviceMetadataOptions | undefined): DeviceMetadataConfig {
  const ipAddress = option?.ipAddress ?? 'plain';
  if (!IP_MODES.includes(ipAddress)) throw new SessionConfigError(`deviceMetadata.ipAddress must be one of ${IP_MODES.join(', ')}`);
  const secret = option?.ipHashSecret;
  if (secret !== undefined && (typeof secret !== 'string' || secret.length === 0)) throw new SessionConfigError('deviceMetadata.ipHashSecret must be a non-empty string');
  return { ipAddress, ipHashSecret: secret, userAgent: option?.userAgent ?? true };
}

function emailVerification(option: EmailVerificationOptions | undefined): EmailVerificationOptions | undefined {
  if (option === undefined) return undefined;
  if (option.mode !== 'REQUIRED' && option.mode !== 'OPTIONAL') throw new SessionConfigError('emailVerification.mode must be REQUIRED or OPTIONAL');
  if (typeof option.isEmailVerified !== 'function') throw new SessionConfigError('emailVerification.isEmailVerified must be a function');
  return option;
}

/**
 * The token limits per transfer method. The cookie default is what is left of {@link COOKIE_BYTES}
 * once the name and the attributes the transport writes (`transport/cookies.ts`) are counted.
 */
function tokenLimits(
  option: SessionModuleOptions['maxAccessTokenBytes'],
  cookie: { name: string; sameSite: CookieSameSite; secure: boolean; domain?: string },
): { cookie: number; header: number } {
  const attributes = [
    `${cookie.name}=`,
    'Path=/',
    `Expires=${new Date(Date.UTC(9999, 11, 31)).toUTCString()}`,
    ...(cookie.domain ? [`Domain=${cookie.domain}`] : []),
    'HttpOnly',
    ...(cookie.secure ? ['Secure'] : []),
    `SameSite=${cookie.sameSite[0].toUpperCase()}${cookie.sameSite.slice(1)}`,
  ].join('; ');
  const limits = { cookie: option?.cookie ?? COOKIE_BYTES - Buffer.byteLength(attributes), header: option?.header ?? DEFAULT_HEADER_TOKEN_BYTES };
  for (const [method, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1024 || value > MAX_VERIFIED_TOKEN_BYTES) {
      throw new SessionConfigError(`maxAccessTokenBytes.${method} must be a whole number of bytes from 1024 to ${MAX_VERIFIED_TOKEN_BYTES}, got ${value}`);
    }
  }
  return limits;
}

/** Characters a URL path and a cookie `Path` attribute share; anything else (`;`, CR, LF, spaces) could forge cookie attributes. */
const SAFE_PATH = /^[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;

function checkPathOption(name: string, value: string | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !SAFE_PATH.test(value)) {
    throw new SessionConfigError(`${name} ${JSON.stringify(value)} may only hold URL path characters: it becomes the refresh cookie's Path attribute`);
  }
}

/** A host name (optionally with a leading dot) or an IPv4 address; anything else could inject Set-Cookie attributes. */
const HOST_NAME = /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function checkCookieDomain(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 253 || !HOST_NAME.test(value)) {
    throw new SessionConfigError(`cookieDomain ${JSON.stringify(value)} is not a host name: it is written into the Set-Cookie header as is`);
  }
  return value;
}

function normalisePath(path: string): string {
  const trimmed = `/${path.trim().replace(/^\/+|\/+$/g, '')}`;
  return trimmed;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new SessionConfigError(`${name} must be a positive number of seconds, got ${value}`);
  return value;
}

function fraction(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value >= 1) throw new SessionConfigError(`${name} must be a fraction from 0 (off) to below 1, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new SessionConfigError(`${name} must be zero or a positive number, got ${value}`);
  return value;
}
