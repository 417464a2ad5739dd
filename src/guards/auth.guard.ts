import { type CanActivate, type ExecutionContext, Injectable, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import { SessionConfigError } from '../errors/session-config-error';
import { appServiceOf, appServiceOnServer } from '../http/app-service-locator';
import { getHttpExchange, type RequestExchange } from '../http/http-exchange';
import { readRequestState, writeRequestState } from '../http/request-state';
import { BUILT_IN_ROUTE_METADATA, PUBLIC_METADATA, REQUIRE_CLAIM_METADATA, VERIFY_SESSION_METADATA } from '../session.constants';
import type { SessionContainer } from '../session/session-container';
import { SessionService } from '../session/session.service';
import type { VerifySessionOptions } from '../session/verify-session-options';

const GUARD_WITHOUT_MODULE =
  'AuthGuard is used but this app has no SessionModule: import SessionModule.forRoot(...) (or forRootAsync) in the application module';

/**
 * Verifies the session of a request and runs its claim validators (global, per-route override,
 * `@RequireClaim`). Works as `@UseGuards(AuthGuard)`, as
 * `@UseGuards(new AuthGuard({ sessionRequired, antiCsrfCheck, checkDatabase, overrideGlobalClaimValidators }))`
 * and as a global guard. A guard made with `new` has no DI: it finds its app's `SessionService`
 * through the request's server (see `http/app-service-locator.ts`), so two apps in one process
 * stay apart and unguarded routes pay nothing.
 */
@Injectable()
export class AuthGuard implements CanActivate, OnApplicationBootstrap {
  private readonly options: VerifySessionOptions;
  private readonly reflector: Reflector;
  /** A guard without constructor options acts on route metadata alone. */
  private readonly metadataOnly: boolean;

  constructor(
    @Optional() options?: VerifySessionOptions,
    @Optional() reflector?: Reflector,
    @Optional() private readonly sessionService?: SessionService,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    this.options = options ?? {};
    this.metadataOnly = Object.keys(this.options).length === 0;
    this.reflector = reflector ?? new Reflector();
  }

  /**
   * A guard Nest created (`@UseGuards(AuthGuard)`, `APP_GUARD`) in an app without the module
   * would answer 500 to every request: stop the app at start instead. The module registers its
   * service on the HTTP server in `onModuleInit`, which runs before every bootstrap hook, so a
   * non-global `SessionModule` elsewhere in the app counts too. (`new AuthGuard(...)` instances
   * are not created by Nest and get no hooks: they fail on their first request.)
   */
  onApplicationBootstrap(): void {
    if (this.sessionService) return;
    const server = this.adapterHost?.httpAdapter?.getInstance?.() as object | undefined;
    if (server && !appServiceOnServer(server)) throw new SessionConfigError(GUARD_WITHOUT_MODULE);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // The refresh and signout routes do their own checks: a guard there (even a global one with
    // options) would answer "try refresh token" to the very request meant to refresh.
    if (this.reflector.get<boolean | undefined>(BUILT_IN_ROUTE_METADATA, context.getClass())) return true;
    if (this.isPublic(context)) return true;
    const exchange = this.getHttpExchange(context);
    // A second metadata-only guard on the same route (the global guard plus `@VerifySession()` /
    // `@UseGuards(AuthGuard)`) would repeat the same verification, claim refetches and
    // `checkDatabase` query: do it once.
    if (this.metadataOnly && readRequestState(exchange.request)?.verifiedFor === context.getHandler()) return true;
    const session = await this.verify(exchange, this.getOptions(context), this.getRequiredClaims(context));
    this.attachSession(exchange, session, this.metadataOnly ? context.getHandler() : undefined);
    return true;
  }

  /** Request/response of the context (HTTP or GraphQL). Override for other transports. */
  protected getHttpExchange(context: ExecutionContext): RequestExchange {
    return getHttpExchange(context);
  }

  /** Constructor options, overridden by `@VerifySession(...)` on the method, then the class. */
  protected getOptions(context: ExecutionContext): VerifySessionOptions {
    const fromMetadata = this.reflector.getAllAndOverride<VerifySessionOptions | undefined>(VERIFY_SESSION_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    return { ...this.options, ...fromMetadata };
  }

  /** `@Public()` skips guards that were not given explicit options for this route. */
  protected isPublic(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, [context.getHandler(), context.getClass()]);
    return isPublic === true && this.metadataOnly;
  }

  /** `@RequireClaim(...)` validators of the class, then of the method. */
  protected getRequiredClaims(context: ExecutionContext): SessionClaimValidator[] {
    const fromClass: SessionClaimValidator[] = Reflect.getMetadata(REQUIRE_CLAIM_METADATA, context.getClass()) ?? [];
    const fromMethod: SessionClaimValidator[] = Reflect.getMetadata(REQUIRE_CLAIM_METADATA, context.getHandler()) ?? [];
    return [...fromClass, ...fromMethod];
  }

  /** Verifies the session and its claims; throws the module's 401/403 errors. */
  protected async verify(
    exchange: RequestExchange,
    options: VerifySessionOptions,
    requiredClaims: SessionClaimValidator[],
  ): Promise<SessionContainer | undefined> {
    const override = options.overrideGlobalClaimValidators;
    const withRequired: VerifySessionOptions['overrideGlobalClaimValidators'] =
      requiredClaims.length === 0
        ? override
        : async (globalValidators, session, userContext) => [
            ...(override ? await override(globalValidators, session, userContext) : globalValidators),
            ...requiredClaims,
          ];
    return this.serviceFor(exchange).getSession(exchange.request, exchange.response, { ...options, overrideGlobalClaimValidators: withRequired });
  }

  /** Puts the session where `@Session()` (ours and Nest's own) reads it. */
  protected attachSession(exchange: RequestExchange, session: SessionContainer | undefined, verifiedFor?: unknown): void {
    writeRequestState(exchange.request, { session, verifiedFor });
    (exchange.request as Record<string, unknown>)[this.serviceFor(exchange).requestProperty] = session;
  }

  private serviceFor(exchange: RequestExchange): SessionService {
    const service = this.sessionService ?? appServiceOf<SessionService>(exchange.request);
    if (!service) {
      throw new SessionConfigError(GUARD_WITHOUT_MODULE);
    }
    return service;
  }
}
