import { Inject, type MiddlewareConsumer, Module, type NestModule, type OnApplicationShutdown, RequestMethod } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { resolveSessionConfig } from './config/session-config';
import type { SessionModuleExtras, SessionModuleOptions } from './config/session-module-options';
import { AuthGuard } from './guards/auth.guard';
import { SessionRequestMiddleware } from './http/session-request.middleware';
import { UserRolesService } from './roles/user-roles.service';
import { SESSION_CONFIG, SESSION_EXTRAS } from './config/injection-tokens';
import { SESSION_DATA_SOURCE } from './storage/injection-tokens';
import { SESSION_MODULE_OPTIONS, SessionConfigurableModule } from './session.module-definition';
import { SessionService } from './session/session.service';
import { OWNED_DATA_SOURCES, sessionDataSourceProvider } from './storage/data-source.provider';
import { SessionStore } from './storage/session-store';
import { TypeOrmSessionStore } from './storage/typeorm-session-store';
import { AccessTokenService } from './tokens/access-token.service';
import { PayloadJwtSigner } from './tokens/payload-jwt.signer';
import { AccessTokenIssuer } from './tokens/access-token-issuer';
import { SigningKeyService } from './tokens/signing-key.service';

/**
 * Sessions with claims for a Nest app: `SessionModule.forRoot({...})` or
 * `SessionModule.forRootAsync({ useFactory, inject, apiBasePath?, globalGuard?, isGlobal? })`.
 */
@Module({
  providers: [
    {
      provide: SESSION_CONFIG,
      inject: [SESSION_MODULE_OPTIONS, SESSION_EXTRAS],
      useFactory: (options: SessionModuleOptions, extras: SessionModuleExtras) => resolveSessionConfig(options ?? {}, extras ?? {}),
    },
    sessionDataSourceProvider,
    { provide: SessionStore, useClass: TypeOrmSessionStore },
    SigningKeyService,
    AccessTokenService,
    AccessTokenIssuer,
    PayloadJwtSigner,
    SessionService,
    AuthGuard,
    SessionRequestMiddleware,
    UserRolesService,
  ],
  exports: [SessionService, AuthGuard, UserRolesService, SESSION_CONFIG, SESSION_DATA_SOURCE, SessionStore],
})
export class SessionModule extends SessionConfigurableModule implements NestModule, OnApplicationShutdown {
  constructor(@Inject(SESSION_DATA_SOURCE) private readonly dataSource: DataSource) {
    super();
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionRequestMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL }); // '{*path}' also matches '/'
  }

  async onApplicationShutdown(): Promise<void> {
    if (OWNED_DATA_SOURCES.has(this.dataSource) && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
