import type { DataSource, DataSourceOptions } from 'typeorm';
import type { SessionClaim } from '../claims/session-claim';
import type { Clock } from '../clock';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import type { ClaimValidationError, UserContext } from '../claims/types';
import type { SessionErrorResponse } from '../errors/session-error';
import type { JSONObject } from '../json';
import type { RoleStore } from '../storage/role-store';
import type { SessionStore } from '../storage/session-store';
import type { SigningKeyStore } from '../storage/signing-key-store';

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
  /** Access-token lifetime in seconds (default 3600). */
  accessTokenValidity?: number;
  /** Refresh-token (session) lifetime in seconds, extended by every refresh (default 100 days). */
  refreshTokenValidity?: number;
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
