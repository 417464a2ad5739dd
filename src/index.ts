// The only public entry of the library: every export by name.

// Module and configuration
export { SessionModule } from './session.module';
export type { SessionModuleForRootOptions, SessionModuleAsyncOptions, SessionOptionsFactory } from './session.module-definition';
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
  DeviceMetadataOptions,
  IpAddressMode,
  RouteThrottle,
  RouteThrottleOptions,
} from './config/session-module-options';
export type { SessionConfig } from './config/session-config';
export type { Clock } from './clock';
export { SESSION_CONFIG } from './session.constants';

// Sessions
export { SessionService } from './session/session.service';
export type { RevocationFeedOptions, RevocationFeedTransport } from './config/revocation-feed-options';
export type { FeedStats } from './feed/feed-stats';
export type { SessionInformation, SessionDoesNotExist, ClaimValidationAnswer } from './session/offline-sessions';
export type { SessionContainer, SessionTokens, PayloadUpdate } from './session/session-container';
export type { SessionRequest } from './session/session-request';
export type { VerifySessionOptions, OverrideGlobalClaimValidators } from './session/verify-session-options';
export type { ValidatorOverride } from './session/claim-policy';
export type { SessionDevice } from './devices/session-device';
export { parseUserAgent, type DeviceLabel } from './devices/user-agent-label';

// Guard and decorators
export { AuthGuard } from './guards/auth.guard';
export { Session, type SessionProperty } from './decorators/session.decorator';
export { VerifySession } from './decorators/verify-session.decorator';
export { Public } from './decorators/public.decorator';
export { RequireClaim } from './decorators/require-claim.decorator';
export { RequireFreshAuth } from './decorators/require-fresh-auth.decorator';
export { InjectSessionStore, InjectSessionDataSource } from './decorators/inject-storage.decorator';
export { SessionErrorFilter } from './http/session-error.filter';

// Lifecycle events
export { SessionListener, type SessionEventsListener } from './events/session-events-listener';
export { SessionEvents } from './events/session-events';
export { SessionAuditLog } from './events/session-audit-log';
export {
  SESSION_EVENT_TYPES,
  type SessionEvent,
  type SessionEventBase,
  type SessionCreatedEvent,
  type SessionRefreshedEvent,
  type SessionPayloadChangedEvent,
  type SessionRevokedEvent,
  type TokenTheftEvent,
  type SessionRevokeReason,
  type RefreshTokenReuseKind,
} from './events/session-event';

// WebSocket gateways (socket.io and ws)
export { WsAuthGuard } from './websockets/ws-auth.guard';
export { WsSessions, type WsHandshakeOptions } from './websockets/ws-sessions.service';
export { WS_CLOSE_UNAUTHORISED } from './websockets/ws-client';

// Errors
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
export { SessionConfigError } from './errors/session-config-error';
export { SessionLimitReachedError } from './errors/session-limit-error';
export { SessionWriteRefusedError, ProtectedPayloadKeyError, PayloadTooLargeError, InvalidJsonValueError } from './errors/payload-errors';
export { MAX_JSON_DEPTH } from './session/storable-json';
export { InvalidIdentifierError } from './errors/invalid-identifier-error';
export { SessionStorageError } from './errors/session-storage-error';

// Claims
export type { JSONPrimitive, JSONValue, JSONObject } from './json';
export type { UserContext, ClaimValidationResult, ClaimValidationError } from './claims/types';
export { SessionClaim, type ClaimValue } from './claims/session-claim';
export type { SessionClaimValidator } from './claims/session-claim-validator';
export { TimestampedClaim, type TimestampedClaimConfig, type TimestampedValidatorSpec } from './claims/timestamped-claim';
export { PrimitiveClaim, type PrimitiveClaimValidators } from './claims/primitive-claim';
export { PrimitiveArrayClaim, type PrimitiveArrayClaimValidators } from './claims/primitive-array-claim';
export { BooleanClaim, type BooleanClaimValidators } from './claims/boolean-claim';
export { UserRoleClaim, PermissionClaim } from './session/built-in-claims/user-role.claim';
export { FreshAuthClaim, FreshAuthClaimClass, type FreshAuthClaimValidators } from './session/built-in-claims/fresh-auth.claim';
export { EmailVerificationClaim, EmailVerificationClaimClass, type EmailVerificationClaimValidators } from './session/built-in-claims/email-verification.claim';
export { UserRolesService, type UnknownRoleError } from './roles/user-roles.service';

// Storage
export { SessionStore } from './storage/session-store';
export { type PayloadSizeLimit, fitsPayloadSizeLimit } from './storage/payload-size-limit';
export type { SessionRecord, StoredPayload, RefreshRotation, ClientMetadata } from './storage/session-record';
export type { SessionCap, SessionCapPolicy, CappedCreation } from './storage/session-cap';
export { SigningKeyStore, type StoredSigningKey } from './storage/signing-key-store';
export { RoleStore, type RolesAndPermissions } from './storage/role-store';
export { TypeOrmSessionStore } from './storage/typeorm-session-store';
export { TypeOrmSigningKeyStore } from './storage/typeorm-signing-key-store';
export { TypeOrmRoleStore } from './storage/typeorm-role-store';
export { SESSION_DATA_SOURCE } from './session.constants';
export { SessionEntity, SessionAuditEntity, SigningKeyEntity, RoleEntity, RolePermissionEntity, UserRoleEntity, SESSION_ENTITIES } from './storage/entities';
export { SESSION_MIGRATIONS } from './storage/migrations';
export { IDENTIFIER_MAX_LENGTH } from './storage/identifier-limits';
export { SESSION_MIGRATIONS_TABLE } from './storage/session-data-source';

// Tokens
export { PROTECTED_PAYLOAD_KEYS } from './tokens/protected-keys';
export type { AccessTokenPayload, AccessTokenBase } from './tokens/access-token-payload';
export type { JsonWebKeySet } from './tokens/signing-key.service';
export type { VerifiedTokenCacheStats } from './tokens/verified-token-cache';
