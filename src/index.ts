// The only public entry of the library.
export { SessionModule } from './session.module';
export { SESSION_OPTIONS_TYPE, SESSION_ASYNC_OPTIONS_TYPE } from './session.module-definition';
export { SessionService, type SessionInformation } from './session/session.service';
export type { SessionContainer, SessionTokens } from './session/session-container';
export type {
  SessionModuleOptions,
  SessionModuleExtras,
  TokenTransferMethod,
  AntiCsrfMode,
  SigningAlgorithm,
  CookieSameSite,
  GlobalClaimValidatorsOption,
  CreateNewSessionInput,
  SessionErrorHandlers,
  PayloadJwtOptions,
  UserRolesOptions,
  EmailVerificationOptions,
} from './config/session-module-options';
export type { SessionConfig } from './config/session-config';

export { AuthGuard, AUTH_GUARD_OPTIONS } from './guards/auth.guard';
export type { VerifySessionOptions, OverrideGlobalClaimValidators } from './session/verify-session-options';
export { Session, type SessionProperty } from './decorators/session.decorator';
export { VerifySession } from './decorators/verify-session.decorator';
export { Public } from './decorators/public.decorator';
export { RequireClaim } from './decorators/require-claim.decorator';

export {
  SessionError,
  UnauthorisedError,
  TryRefreshTokenError,
  TokenTheftDetectedError,
  InvalidClaimsError,
  type SessionErrorType,
  type SessionErrorInit,
  type SessionErrorResponse,
} from './errors/session-error';
export { SessionConfigError, ProtectedPayloadKeyError } from './errors/session-config-error';

export type { JSONPrimitive, JSONValue, JSONObject } from './json';
export * from './claims';
export * from './session/built-in-claims';
export { UserRolesService, type UnknownRoleError } from './roles/user-roles.service';

export { SessionStore } from './storage/session-store';
export type { SessionRecord, StoredPayload, RefreshRotation } from './storage/session-record';
export { TypeOrmSessionStore } from './storage/typeorm-session-store';
export { SessionEntity, SigningKeyEntity, RoleEntity, RolePermissionEntity, UserRoleEntity, SESSION_ENTITIES } from './storage/entities';
export { SESSION_MIGRATIONS, CreateSessionTables1763800000000, CreateRoleTables1763800000001 } from './storage/migrations';
export { SESSION_MIGRATIONS_TABLE } from './storage/data-source.provider';
export { PROTECTED_PAYLOAD_KEYS } from './tokens/protected-keys';
export type { AccessTokenPayload } from './tokens/access-token-payload';
export type { JsonWebKeySet } from './tokens/signing-key.service';
export { SESSION_CONFIG } from './config/injection-tokens';
export { SESSION_DATA_SOURCE } from './storage/injection-tokens';
export { PUBLIC_METADATA, REQUIRE_CLAIM_METADATA, VERIFY_SESSION_METADATA } from './http/route-metadata';
