import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { SessionModuleExtras, SessionModuleOptions } from './config/session-module-options';
import { SessionErrorFilter } from './http/session-error.filter';
import { createSessionRoutesController, WellKnownJwksController } from './http/session-routes.controller';
import { SESSION_EXTRAS } from './session.constants';
import { SESSION_ENTITIES } from './storage/entities';
import { SESSION_APP_DATA_SOURCE } from './storage/session-data-source';
import { GlobalAuthGuard } from './websockets/global-auth.guard';

/**
 * `forRoot` / `forRootAsync` come from Nest's builder. Extras are read at declaration time,
 * before any async factory runs: whether the module is global, registers a global guard, and
 * where its routes are mounted (controllers need their path up front), and which
 * `@nestjs/typeorm` connection to store sessions in (`dataSourceName`: its entities are
 * registered with `forFeature` for `autoLoadEntities`, its DataSource injected by token).
 * Every declaration registers the error filter (`APP_FILTER`), which catches only the module's
 * `SessionError`s, so it coexists with the app's own filters.
 */
export const {
  ConfigurableModuleClass: SessionConfigurableModule,
  MODULE_OPTIONS_TOKEN: SESSION_MODULE_OPTIONS,
  OPTIONS_TYPE: SESSION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SESSION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SessionModuleOptions>({ moduleName: 'Session' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSessionOptions')
  .setExtras<SessionModuleExtras>(
    { isGlobal: true, globalGuard: false, apiBasePath: undefined, dataSourceName: undefined },
    (definition, extras) => {
      const providers: Provider[] = [
        ...(definition.providers ?? []),
        { provide: SESSION_EXTRAS, useValue: extras },
        { provide: APP_FILTER, useExisting: SessionErrorFilter },
      ];
      // AuthGuard for routes and resolvers, WsAuthGuard's check for gateway messages (Nest 12 runs global guards there).
      if (extras.globalGuard) providers.push({ provide: APP_GUARD, useClass: GlobalAuthGuard });
      const imports = [...(definition.imports ?? [])];
      if (extras.dataSourceName !== undefined) {
        imports.push(TypeOrmModule.forFeature(SESSION_ENTITIES, extras.dataSourceName));
        providers.push({ provide: SESSION_APP_DATA_SOURCE, useExisting: getDataSourceToken(extras.dataSourceName) });
      }
      return {
        ...definition,
        global: extras.isGlobal,
        imports,
        providers,
        controllers: [createSessionRoutesController(extras.apiBasePath ?? '/auth'), WellKnownJwksController],
      };
    },
  )
  .build();

/** What `SessionModule.forRoot(...)` takes: the options plus the declaration-time extras. */
export type SessionModuleForRootOptions = typeof SESSION_OPTIONS_TYPE;
/**
 * A class that `forRootAsync({ useClass })` instantiates (or `useExisting` reuses) to get the
 * options: Nest's `ConfigurableModuleOptionsFactory` under the method name the module calls.
 */
export interface SessionOptionsFactory {
  createSessionOptions(): SessionModuleOptions | Promise<SessionModuleOptions>;
}
/** What `SessionModule.forRootAsync(...)` takes: `useFactory` / `useClass` / `useExisting`, `imports`, `inject`, plus the extras. */
export type SessionModuleAsyncOptions = typeof SESSION_ASYNC_OPTIONS_TYPE;
