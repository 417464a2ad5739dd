import { type CanActivate, type ExecutionContext, Injectable, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import { SessionConfigError } from '../errors/session-config-error';
import { appServiceOf, appServiceOnServer } from '../http/app-service-locator';
import { getHttpExchange, isNestHttpHost, type RequestExchange } from '../http/http-exchange';
import { attachRequestState, readRequestState } from '../http/request-state';
import { BUILT_IN_ROUTE_METADATA, PUBLIC_METADATA, REQUIRE_CLAIM_METADATA, VERIFY_SESSION_METADATA } from '../session.constants';
import type { SessionContainer } from '../session/session-container';
import { SessionService } from '../session/session.service';
import type { VerifySessionOptions } from '../session/verify-session-options';
import type { RequestLike, ResponseLike } from '../transport/http-objects';

const GUARD_WITHOUT_MODULE =
  'AuthGuard is used but this app has no SessionModule: import SessionModule.forRoot(...) (or forRootAsync) in the application module';

/** What a guard does on one route, read from the route's metadata on its first request. */
interface RoutePlan {
  /** A built-in route (refresh, signout) or, for a metadata-only guard, a `@Public()` one. */
  skip: boolean;
  options: VerifySessionOptions;
  requiredClaims: readonly SessionClaimValidator[];
}

const SKIP: RoutePlan = Object.freeze({ skip: true, options: Object.freeze({}), requiredClaims: Object.freeze([]) });

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
  /**
   * Route plans by controller class, then handler. Metadata is set by decorators when classes
   * are defined, so it is read once per route, not on every request (7 reflect-metadata reads
   * and two object spreads less per request).
   */
  private readonly plans = new WeakMap<object, WeakMap<object, RoutePlan>>();
  /** False when a subclass overrides a metadata reader: its answer may change per request, so it is asked every time. */
  private readonly cachesPlans: boolean;
  /** False when a subclass overrides `verify` or `attachSession`: they are then called as before. */
  private readonly ownVerification: boolean;
  /** False when a subclass overrides `getHttpExchange`: it is then asked for every request. */
  private readonly ownExchange: boolean;

  constructor(
    @Optional() options?: VerifySessionOptions,
    @Optional() reflector?: Reflector,
    @Optional() private readonly sessionService?: SessionService,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    this.options = options ?? {};
    this.metadataOnly = Object.keys(this.options).length === 0;
    this.reflector = reflector ?? new Reflector();
    const base = AuthGuard.prototype;
    this.cachesPlans = this.isPublic === base.isPublic && this.getOptions === base.getOptions && this.getRequiredClaims === base.getRequiredClaims;
    this.ownVerification = this.verify === base.verify && this.attachSession === base.attachSession;
    this.ownExchange = this.getHttpExchange === base.getHttpExchange;
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

  /**
   * Answers synchronously (`true`, or a thrown 401/403) when nothing needs awaiting: a token
   * cached or signed by a known key, no database read, no claim validator on the route.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const handler = context.getHandler();
    const plan = this.planFor(context, handler);
    if (plan.skip) return true;
    if (!this.ownVerification) return this.verifyOverridden(context, handler, plan);
    // Nest's own HTTP context: request and response read as its arguments (no exchange object).
    let request: RequestLike;
    let response: ResponseLike | undefined;
    if (this.ownExchange && isNestHttpHost(context)) {
      request = context.getArgByIndex(0);
      response = context.getArgByIndex(1);
    } else {
      const exchange = this.getHttpExchange(context);
      request = exchange.request;
      response = exchange.response;
    }
    // A second metadata-only guard on the same route (the global guard plus `@VerifySession()` /
    // `@UseGuards(AuthGuard)`) would repeat the same verification, claim refetches and
    // `checkDatabase` query: do it once.
    if (this.metadataOnly && readRequestState(request)?.verifiedFor === handler) return true;
    const verifiedFor = this.metadataOnly ? handler : undefined;
    const service = this.serviceFor(request);
    const session = service.verifyForRoute(request, response, plan.options, plan.requiredClaims);
    if (session instanceof Promise) {
      return session.then((verified) => {
        attach(service, request, verified, verifiedFor);
        return true;
      });
    }
    attach(service, request, session, verifiedFor);
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
    return this.serviceFor(exchange.request).verifyForRoute(exchange.request, exchange.response, options, requiredClaims);
  }

  /** Puts the session where `@Session()` (ours and Nest's own) reads it. */
  protected attachSession(exchange: RequestExchange, session: SessionContainer | undefined, verifiedFor?: unknown): void {
    attach(this.serviceFor(exchange.request), exchange.request, session, verifiedFor);
  }

  /** {@link canActivate} for a subclass that overrides `verify` or `attachSession`: both called, with an exchange, as before. */
  private verifyOverridden(context: ExecutionContext, handler: object, plan: RoutePlan): boolean | Promise<boolean> {
    const exchange = this.getHttpExchange(context);
    if (this.metadataOnly && readRequestState(exchange.request)?.verifiedFor === handler) return true;
    const verifiedFor = this.metadataOnly ? handler : undefined;
    return this.verify(exchange, { ...plan.options }, [...plan.requiredClaims]).then((session) => {
      this.attachSession(exchange, session, verifiedFor);
      return true;
    });
  }

  /** The route's plan: cached per class and handler unless a subclass reads metadata its own way. */
  private planFor(context: ExecutionContext, handler: object): RoutePlan {
    if (!this.cachesPlans) return this.readPlan(context);
    const controller = context.getClass();
    let byHandler = this.plans.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.plans.set(controller, byHandler);
    }
    let plan = byHandler.get(handler);
    if (plan === undefined) {
      plan = this.readPlan(context);
      byHandler.set(handler, plan);
    }
    return plan;
  }

  private readPlan(context: ExecutionContext): RoutePlan {
    // The refresh and signout routes do their own checks: a guard there (even a global one with
    // options) would answer "try refresh token" to the very request meant to refresh.
    if (this.reflector.get<boolean | undefined>(BUILT_IN_ROUTE_METADATA, context.getClass())) return SKIP;
    if (this.isPublic(context)) return SKIP;
    return Object.freeze({ skip: false, options: Object.freeze(this.getOptions(context)), requiredClaims: Object.freeze(this.getRequiredClaims(context)) });
  }

  private serviceFor(request: RequestLike): SessionService {
    const service = this.sessionService ?? appServiceOf<SessionService>(request);
    if (!service) {
      throw new SessionConfigError(GUARD_WITHOUT_MODULE);
    }
    return service;
  }
}

/** Puts the session in the request's slot (for `@Session()`) and under the `requestProperty` option. */
function attach(service: SessionService, request: RequestLike, session: SessionContainer | undefined, verifiedFor: unknown): void {
  attachRequestState(request, service.requestProperty, { session, verifiedFor });
}
