import type { DataSource, DataSourceOptions } from 'typeorm';
import type { SessionClaim } from '../claims/session-claim';
import type { Clock } from '../clock';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { ClaimValidationError, UserContext } from '../claims/types';
import type { SessionErrorResponse } from '../errors/session-error';
import type { JSONObject } from '../json';
import type { RoleStore } from '../storage/role-store';
import type { SessionCapPolicy } from '../storage/session-cap';
import type { SessionStore } from '../storage/session-store';
import type { SigningKeyStore } from '../storage/signing-key-store';
import type { RevocationFeedOptions } from './revocation-feed-options';

/** How tokens travel: cookies (`sAccessToken`/`sRefreshToken`) or headers (`st-access-token`/`st-refresh-token`). */
export type TokenTransferMethod = 'cookie' | 'header';

/** Anti-CSRF protection for cookie-based sessions (SuperTokens' `antiCsrf`). */
export type AntiCsrfMode = 'VIA_TOKEN' | 'VIA_CUSTOM_HEADER' | 'NONE';

/** Algorithms the access-token signing keys can use. */
export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/** `SameSite` attribute of the session cookies. */
export type CookieSameSite = 'lax' | 'strict' | 'none';

/** The `globalClaimValidators` option: a list, or a function of the built-in defaults. */
export type GlobalClaimValidatorsOption =
  | SessionClaimValidator[]
  | ((
      defaultValidators: SessionClaimValidator[],
      input: { userId: string; tenantId: string; userContext: UserContext },
    ) => SessionClaimValidator[] | Promise<SessionClaimValidator[]>);

/** Input of the `createNewSession` override hook; change `accessTokenPayload` to add claims. */
export interface CreateNewSessionInput {
  userId: string;
  tenantId: string;
  accessTokenPayload: JSONObject;
  sessionDataInDatabase: JSONObject;
  userContext: UserContext;
}

/** Replace the module's error responses. Return `undefined` to keep the default. Tokens are cleared either way. */
export interface SessionErrorHandlers {
  onUnauthorised?(input: { message: string; request: unknown }): SessionErrorResponse | undefined;
  onTryRefreshToken?(input: { message: string; request: unknown }): SessionErrorResponse | undefined;
  onTokenTheftDetected?(input: {
    sessionHandle: string;
    userId: string;
    tenantId: string;
    request: unknown;
  }): SessionErrorResponse | undefined;
  onInvalidClaim?(input: { claimValidationErrors: ClaimValidationError[]; request: unknown }): SessionErrorResponse | undefined;
  /** A refresh cleared a stale cookie of `olderCookieDomain` (default: 200 `{ message }`). */
  onClearDuplicateSessionCookies?(input: { message: string; request: unknown }): SessionErrorResponse | undefined;
}

/** The seed's "JWT in the access-token payload" feature: a separately signed, short-lived JWT under `propertyName`. */
export interface PayloadJwtOptions {
  /** Turn the feature on. */
  enable: boolean;
  /** Payload key that holds the JWT (default `jwt`). */
  propertyName?: string;
  /** `iss` of that JWT (default: the module's `issuer`). */
  issuer?: string;
  /** Validity in seconds (default: the access-token validity). */
  validitySeconds?: number;
}

/** The built-in role and permission claims (`st-role`, `st-perm`). */
export interface UserRolesOptions {
  /** Add `UserRoleClaim` to new sessions (default true). */
  addRolesToSession?: boolean;
  /** Add `PermissionClaim` to new sessions (default true). */
  addPermissionsToSession?: boolean;
}

/** The built-in email-verification claim (`st-ev`). */
export interface EmailVerificationOptions {
  /** `REQUIRED` checks `EmailVerificationClaim.validators.isVerified()` on every guarded route; `OPTIONAL` only adds the claim. */
  mode: 'REQUIRED' | 'OPTIONAL';
  /** Where the truth lives: your users table, an identity provider... */
  isEmailVerified(userId: string, tenantId: string, userContext: UserContext): boolean | Promise<boolean>;
}

/** How sessions record client IPs: as sent, as a (keyed) SHA-256, or not at all. */
export type IpAddressMode = 'plain' | 'hashed' | 'off';

/** The `deviceMetadata` option: what each session records about its client. */
export interface DeviceMetadataOptions {
  /** Client IPs at creation and at each refresh (default `plain`). */
  ipAddress?: IpAddressMode;
  /**
   * HMAC key for `hashed` IPs. Without it the hash is a plain SHA-256, which anyone can reverse
   * for IPv4 by trying all 2^32 addresses: give a secret if the hash is meant to hide the IP.
   */
  ipHashSecret?: string;
  /** Record the `User-Agent` header (default true). */
  userAgent?: boolean;
}

/** A rate limit of one built-in route through `@nestjs/throttler`. */
export interface RouteThrottle {
  /** Requests allowed per `ttl` (per client, as the app's throttler tracks them). */
  limit: number;
  /** Window in milliseconds. */
  ttl: number;
  /** Which of the app's named throttlers (default `default`). */
  throttler?: string;
}

/** The `routeThrottle` option: limits of the refresh and signout routes when the app runs `ThrottlerGuard`. */
export interface RouteThrottleOptions {
  refresh?: RouteThrottle;
  signout?: RouteThrottle;
}

/** Options of `SessionModule.forRoot` / the factory of `forRootAsync`. */
export interface SessionModuleOptions {
  /** TypeORM options of the module's own DataSource. Default: better-sqlite3 file `sessions.sqlite`. */
  database?: DataSourceOptions;
  /** Use the app's existing DataSource instead of opening one. */
  dataSource?: DataSource;
  /**
   * Create/alter tables from the entities at start: for tests and samples (default false). The
   * module's own DataSource otherwise runs the shipped migrations (`SESSION_MIGRATIONS`) under a lock.
   */
  synchronize?: boolean;
  /**
   * Where sessions live (default: `TypeOrmSessionStore` on the module's DataSource). Any object
   * implementing {@link SessionStore}; inject it anywhere with `@InjectSessionStore()`.
   */
  store?: SessionStore;
  /** Where signing keys live (default: `TypeOrmSigningKeyStore`), shared by every instance. */
  signingKeyStore?: SigningKeyStore;
  /** Where roles and grants live (default: `TypeOrmRoleStore`). With all three stores given, no DataSource is opened. */
  roleStore?: RoleStore;
  /** Access-token lifetime in seconds (default 3600), before `accessTokenJitter`. */
  accessTokenValidity?: number;
  /**
   * Each new access token lives `accessTokenValidity` shortened by a random fraction between 0
   * and this (default 0.05: 0–5 %), so refreshes of sessions created together spread out; 0
   * turns it off. Re-issued tokens (payload changes) keep their expiry.
   */
  accessTokenJitter?: number;
  /** Refresh-token (session) lifetime in seconds, extended by every refresh (default 100 days): the idle timeout. */
  refreshTokenValidity?: number;
  /**
   * The absolute timeout: seconds from a session's creation after which it ends however often it
   * is refreshed (default: none). Refreshes never extend it; access tokens never outlive it.
   */
  absoluteSessionLifetime?: number;
  /** Seconds a just-superseded refresh token still gives the same outcome (default 30). */
  refreshGracePeriod?: number;
  /** Where the built-in routes live (default `/auth`). Under `forRootAsync`, pass it next to `useFactory`. */
  apiBasePath?: string;
  /** `iss` claim of access tokens (default `nest-session`). */
  issuer?: string;
  /** `Secure` attribute of the session cookies (default false; true is required with SameSite=None). */
  cookieSecure?: boolean;
  /** `SameSite` attribute of the session cookies (default `lax`). */
  cookieSameSite?: CookieSameSite;
  /** `Domain` attribute of the session cookies (default: host-only). */
  cookieDomain?: string;
  /**
   * The `cookieDomain` used before a change (`''` for host-only cookies). Browsers then hold two
   * session cookies of one name; a refresh clears the one of this domain and answers 200 so the
   * next refresh sees one cookie. Without it, such a refresh is refused with 400 naming this option.
   */
  olderCookieDomain?: string;
  /**
   * In cookie mode, also send the access token in the `st-access-token` header, so the frontend
   * SDK's `getAccessToken()` can read it (e.g. to call another API). Default false: the access
   * token stays in its HttpOnly cookie.
   */
  exposeAccessTokenToFrontendInCookieBasedAuth?: boolean;
  /** Anti-CSRF mode (default: `VIA_CUSTOM_HEADER` when SameSite is `none`, else `NONE`). */
  antiCsrf?: AntiCsrfMode;
  /** Pick the transfer method per request (default: `st-auth-mode` header at creation, header mode otherwise; both are read). */
  getTokenTransferMethod?: (input: { request: unknown; forCreateNewSession: boolean }) => TokenTransferMethod | 'any';
  /** Access-token signing algorithm (default RS256). */
  signingAlgorithm?: SigningAlgorithm;
  /** Seconds between signing-key rotations (default 7 days). */
  signingKeyRotationInterval?: number;
  /** Entries in the in-memory cache of verified access tokens (default 10000; 0 disables). */
  verifiedTokenCacheSize?: number;
  /**
   * Memory the cache of verified access tokens may hold, in bytes (tokens and their payloads, as
   * estimated by `SessionService.getVerifiedTokenCacheStats()`; default 32 MiB; 0 disables the
   * cache). Whichever of this and `verifiedTokenCacheSize` is reached first evicts the oldest.
   */
  verifiedTokenCacheBytes?: number;
  /**
   * The largest access token the module issues, in bytes, per transfer method. A payload write
   * that would make a longer token is refused with `PayloadTooLargeError` (400 over HTTP) before
   * anything is stored. Defaults: `cookie` — whatever keeps the whole `Set-Cookie` value of
   * `sAccessToken` within 4095 bytes with your cookie attributes (browsers drop larger cookies),
   * about 3.9 KB; `header` — 7168, so the token and the front-token (about as long) stay within
   * the 16 KiB header limits of Node's HTTP server and client. At most 16384 (what verification
   * accepts). Writes by handle or per user do not know the session's transfer method: they use
   * the smaller of the two.
   */
  maxAccessTokenBytes?: { cookie?: number; header?: number };
  /**
   * Name the session cookies with the `__Host-` prefix (access token) and `__Secure-` prefix
   * (refresh token, whose narrow `Path` `__Host-` forbids), for apps served from one host: the
   * browser then refuses such cookies from any sibling or parent domain and over plain HTTP.
   * Requires `cookieSecure: true` and no `cookieDomain` (default false).
   */
  cookieHostPrefix?: boolean;
  /** Seconds between sweeps that delete expired sessions and keys (default 3600; 0 disables). */
  cleanupInterval?: number;
  /** Validators checked on every guarded route. */
  globalClaimValidators?: GlobalClaimValidatorsOption;
  /** Claims fetched and added to every new session. */
  claimsToAddOnCreate?: SessionClaim<any>[];
  /** Hook run before a session is created; may change the payload (seed "createNewSession override"). */
  createNewSession?: (input: CreateNewSessionInput) => CreateNewSessionInput | void | Promise<CreateNewSessionInput | void>;
  /** Replace the error responses. */
  errorHandlers?: SessionErrorHandlers;
  /** Put a separately signed JWT in the payload (seed "Getting the JWT"). */
  jwt?: PayloadJwtOptions;
  /**
   * Beyond SuperTokens: re-issue the access token when the stored payload differs from the
   * token's (an offline merge, a revoked session), checking the database at most once per
   * session per `intervalSeconds` (default 60). Off unless given.
   */
  propagatePayloadChanges?: { intervalSeconds?: number };
  /** Built-in role/permission claims on new sessions (default: both on). */
  userRoles?: UserRolesOptions;
  /** Turn on the email-verification claim. */
  emailVerification?: EmailVerificationOptions;
  /** Request property the session object is attached to (default `session`). */
  requestProperty?: string;
  /**
   * Where every time rule reads "now" (default: the system clock). For tests: `TestClock` from
   * `nest-session/testing` expires tokens, claims and sessions without waiting.
   */
  clock?: Clock;
  /**
   * Instant revocation and payload propagation across instances with no database read per
   * request (off by default): see {@link RevocationFeedOptions} and docs/scale.md.
   */
  revocationFeed?: RevocationFeedOptions;
  /**
   * At most this many live sessions per user and tenant (default: no cap), enforced atomically
   * at creation on every database: concurrent sign-ins never exceed it. See `sessionCapPolicy`.
   */
  maxSessionsPerUser?: number;
  /**
   * What a sign-in beyond `maxSessionsPerUser` does: `evict-oldest` (default; the session created
   * first is revoked), `evict-least-recently-refreshed`, or `deny` (`SessionLimitReachedError`, 409).
   */
  sessionCapPolicy?: SessionCapPolicy;
  /**
   * Record the time of authentication in new sessions (the `st-auth` claim, default false), for
   * step-up routes (`@RequireFreshAuth(seconds)`). Refresh never renews it;
   * `session.markFreshAuth()` does, after the app re-authenticated the user.
   */
  recordAuthTime?: boolean;
  /**
   * Write every session lifecycle event to the `nest_session_audit` table (default false); see
   * `SessionAuditEntity`. Needs the module's DataSource.
   */
  auditLog?: boolean;
  /**
   * Own rate limits for `POST {apiBasePath}/session/refresh` and `/signout` when the app uses
   * `@nestjs/throttler` (`ThrottlerGuard` as `APP_GUARD`); without it, the app's default limits
   * apply to them. Does nothing in apps without the throttler.
   */
  routeThrottle?: RouteThrottleOptions;
  /** What each session records about its client (IP, user agent); see `listSessionsForUser`. */
  deviceMetadata?: DeviceMetadataOptions;
}

/** Settings read when the module is declared, before any async factory runs. */
export interface SessionModuleExtras {
  /** Make `SessionService` and the guard available in every module (default true). */
  isGlobal?: boolean;
  /** Register `AuthGuard` as `APP_GUARD`; routes opt out with `@Public()` (default false). */
  globalGuard?: boolean;
  /** Where the built-in routes live (default `/auth`). */
  apiBasePath?: string;
  /**
   * Connection name of a `@nestjs/typeorm` DataSource to store sessions in (`'default'` for the
   * unnamed one). The module registers its entities with `TypeOrmModule.forFeature(..., name)`,
   * so `autoLoadEntities: true` picks them up; list `SESSION_MIGRATIONS` in its `migrations`
   * (or use `synchronize` in tests and samples).
   */
  dataSourceName?: string;
}
