import { Inject, Module, type OnApplicationShutdown, type OnModuleInit, Optional, RequestMethod } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import type { SessionConfig } from './config/session-config';
import { AuthGuard } from './guards/auth.guard';
import { registerAppService, unregisterAppService } from './http/app-service-locator';
import { servedPath } from './http/global-prefix';
import { UserRolesService } from './roles/user-roles.service';
import { SESSION_CONFIG, SESSION_DATA_SOURCE } from './session.constants';
import { SessionConfigurableModule } from './session.module-definition';
import { SESSION_PROVIDERS } from './session.providers';
import { SessionService } from './session/session.service';
import { RoleStore } from './storage/role-store';
import { OWNED_DATA_SOURCES } from './storage/session-data-source';
import { SessionStore } from './storage/session-store';
import { SigningKeyStore } from './storage/signing-key-store';
import { WsSessions } from './websockets/ws-sessions.service';

/**
 * Sessions with claims for a Nest app: `SessionModule.forRoot({...})` or
 * `SessionModule.forRootAsync({ useFactory, inject, apiBasePath?, globalGuard?, isGlobal? })`.
 */
@Module({
  providers: SESSION_PROVIDERS,
  exports: [SessionService, AuthGuard, UserRolesService, WsSessions, SESSION_CONFIG, SESSION_DATA_SOURCE, SessionStore, SigningKeyStore, RoleStore],
})
export class SessionModule extends SessionConfigurableModule implements OnModuleInit, OnApplicationShutdown {
  private server?: object;

  constructor(
    private readonly sessions: SessionService,
    @Inject(SESSION_DATA_SOURCE) private readonly dataSource: DataSource | undefined,
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() private readonly appConfig?: ApplicationConfig,
  ) {
    super();
  }

  /**
   * Guards made with `new AuthGuard(...)` find this app's service through its HTTP server (no
   * middleware, no global). The refresh cookie's path follows the app's global prefix, known
   * only now (`app.setGlobalPrefix` runs after the module's providers were created).
   */
  onModuleInit(): void {
    this.config.refreshPath = servedPath(this.config.refreshPath, RequestMethod.POST, this.appConfig);
    const server = this.adapterHost?.httpAdapter?.getInstance?.() as object | undefined;
    if (server) registerAppService(server, this.sessions);
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.server) unregisterAppService(this.server, this.sessions);
    if (this.dataSource && OWNED_DATA_SOURCES.has(this.dataSource) && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
