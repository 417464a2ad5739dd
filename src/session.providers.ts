import type { Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { resolveSessionConfig, type SessionConfig } from './config/session-config';
import type { SessionModuleExtras, SessionModuleOptions } from './config/session-module-options';
import { publishingSessionStore } from './feed/publishing-session-store';
import { RevocationFeed } from './feed/revocation-feed';
import { AuthGuard } from './guards/auth.guard';
import { SessionErrorFilter } from './http/session-error.filter';
import { UserRolesService } from './roles/user-roles.service';
import { SESSION_CONFIG, SESSION_DATA_SOURCE, SESSION_EXTRAS } from './session.constants';
import { SESSION_MODULE_OPTIONS } from './session.module-definition';
import { SessionAuditLog } from './events/session-audit-log';
import { SessionEvents } from './events/session-events';
import { ClaimPolicy } from './session/claim-policy';
import { OfflineSessions } from './session/offline-sessions';
import { OnlineSessions } from './session/online-sessions';
import { SessionCleanup } from './session/session-cleanup';
import { SessionIssuer } from './session/session-issuer';
import { SessionRefresher } from './session/session-refresher';
import { SessionVerifier } from './session/session-verifier';
import { SessionService } from './session/session.service';
import { RoleStore } from './storage/role-store';
import { withRedactedErrors } from './storage/redacted-store-errors';
import { openSessionDataSource, SESSION_APP_DATA_SOURCE } from './storage/session-data-source';
import { SessionStore } from './storage/session-store';
import { SigningKeyStore } from './storage/signing-key-store';
import { TypeOrmRoleStore } from './storage/typeorm-role-store';
import { TypeOrmSessionStore } from './storage/typeorm-session-store';
import { TypeOrmSigningKeyStore } from './storage/typeorm-signing-key-store';
import { AccessTokenIssuer } from './tokens/access-token-issuer';
import { PayloadSizeGuard } from './tokens/payload-size-guard';
import { AccessTokenService } from './tokens/access-token.service';
import { PayloadJwtSigner } from './tokens/payload-jwt.signer';
import { SigningKeyService } from './tokens/signing-key.service';
import { TokenTransport } from './transport/token-transport';
import { WsSessions } from './websockets/ws-sessions.service';

/** Whether a default (TypeORM) store is in use, so the module needs a DataSource. */
function needsDataSource(config: SessionConfig): boolean {
  return !config.store || !config.signingKeyStore || !config.roleStore;
}

/**
 * The stores: each option's object when given (the `store` / `signingKeyStore` / `roleStore`
 * options, as `@nestjs/throttler` takes its `storage`), else the TypeORM one. The DataSource is
 * opened (or the app's prepared) only when a TypeORM store needs it; otherwise it is `undefined`.
 * A TypeORM store's driver errors become redacted `SessionStorageError`s (no SQL parameters).
 */
const storageProviders: Provider[] = [
  {
    provide: SESSION_DATA_SOURCE,
    inject: [SESSION_CONFIG, { token: SESSION_APP_DATA_SOURCE, optional: true }],
    useFactory: (config: SessionConfig, named?: DataSource) => (needsDataSource(config) ? openSessionDataSource(config, named) : undefined),
  },
  {
    provide: SessionStore,
    inject: [SESSION_CONFIG, SESSION_DATA_SOURCE, RevocationFeed],
    useFactory: (config: SessionConfig, dataSource: DataSource, feed: RevocationFeed) =>
      publishingSessionStore(config.store ?? withRedactedErrors(new TypeOrmSessionStore(dataSource), 'SessionStore'), feed),
  },
  {
    provide: SigningKeyStore,
    inject: [SESSION_CONFIG, SESSION_DATA_SOURCE],
    useFactory: (config: SessionConfig, dataSource: DataSource) => config.signingKeyStore ?? withRedactedErrors(new TypeOrmSigningKeyStore(dataSource), 'SigningKeyStore'),
  },
  {
    provide: RoleStore,
    inject: [SESSION_CONFIG, SESSION_DATA_SOURCE],
    useFactory: (config: SessionConfig, dataSource: DataSource) => config.roleStore ?? withRedactedErrors(new TypeOrmRoleStore(dataSource), 'RoleStore'),
  },
];

/** Everything `SessionModule` provides, wired from the options. */
export const SESSION_PROVIDERS: Provider[] = [
  {
    provide: SESSION_CONFIG,
    inject: [SESSION_MODULE_OPTIONS, SESSION_EXTRAS],
    useFactory: (options: SessionModuleOptions, extras: SessionModuleExtras) => resolveSessionConfig(options ?? {}, extras ?? {}),
  },
  RevocationFeed,
  ...storageProviders,
  SigningKeyService,
  AccessTokenService,
  AccessTokenIssuer,
  PayloadSizeGuard,
  PayloadJwtSigner,
  TokenTransport,
  ClaimPolicy,
  SessionEvents,
  SessionAuditLog,
  OnlineSessions,
  SessionIssuer,
  SessionRefresher,
  SessionVerifier,
  OfflineSessions,
  SessionCleanup,
  SessionService,
  SessionErrorFilter,
  AuthGuard,
  UserRolesService,
  WsSessions,
];
