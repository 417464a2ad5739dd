import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { SessionClaimValidator } from '../claims/session-claim-validator';
import { getHttpExchange, type RequestExchange } from '../http/http-exchange';
import { SessionConfigError } from '../errors/session-config-error';
import type { SessionContainer } from '../session/session-container';
import { BUILT_IN_ROUTE_METADATA, PUBLIC_METADATA, REQUIRE_CLAIM_METADATA, VERIFY_SESSION_METADATA } from '../http/route-metadata';
import { readRequestSymbol, SESSION_KEY, SESSION_SERVICE_KEY } from '../http/request-state';
import { SessionService } from '../session/session.service';
import type { VerifySessionOptions } from '../session/verify-session-options';

/** Request mark: the handler a metadata-only guard already verified this request for. */
const VERIFIED_FOR_HANDLER = Symbol('nest-session:verified-for-handler');

/** Injection token for default options of DI-created guards (optional). */
export const AUTH_GUARD_OPTIONS = 'nest-session:auth-guard-options';

/**
 * Verifies the session of a request and runs its claim validators (global, per-route override,
 * `@RequireClaim`). Works as `@UseGuards(AuthGuard)`, as
 * `@UseGuards(new AuthGuard({ sessionRequired, antiCsrfCheck, checkDatabase, overrideGlobalClaimValidators }))`
 * and as a global guard. A guard made with `new` has no DI: it finds its app's `SessionService`
 * on the request, put there by the module's middleware, so two apps in one process stay apart.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly options: VerifySessionOptions;
  private readonly reflector: Reflector;

  constructor(
    @Optional() @Inject(AUTH_GUARD_OPTIONS) options?: VerifySessionOptions,
    @Optional() reflector?: Reflector,
    @Optional() private readonly sessionService?: SessionService,
  ) {
    this.options = options ?? {};
    this.reflector = reflector ?? new Reflector();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // The refresh and signout routes do their own checks: a guard there (even a global one with
    // options) would answer "try refresh token" to the very request meant to refresh.
    if (this.reflector.get<boolean | undefined>(BUILT_IN_ROUTE_METADATA, context.getClass())) return true;
    if (this.isPublic(context)) return true;
    const pair = this.getHttpExchange(context);
    // A guard without constructor options acts on route metadata alone, so a second such guard on
    // the same route (the global guard plus `@VerifySession()` / `@UseGuards(AuthGuard)`) would
    // repeat the same verification, claim refetches and `checkDatabase` query: do it once.
    const metadataOnly = Object.keys(this.options).length === 0;
    const marks = pair.request as unknown as Record<symbol, unknown>;
    if (metadataOnly && marks[VERIFIED_FOR_HANDLER] === context.getHandler()) return true;
    const options = this.getOptions(context);
    const session = await this.verify(pair, options, this.getRequiredClaims(context));
    this.attachSession(pair, session);
    if (metadataOnly) marks[VERIFIED_FOR_HANDLER] = context.getHandler();
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
    return isPublic === true && Object.keys(this.options).length === 0;
  }

  /** `@RequireClaim(...)` validators of the class, then of the method. */
  protected getRequiredClaims(context: ExecutionContext): SessionClaimValidator[] {
    const fromClass: SessionClaimValidator[] = Reflect.getMetadata(REQUIRE_CLAIM_METADATA, context.getClass()) ?? [];
    const fromMethod: SessionClaimValidator[] = Reflect.getMetadata(REQUIRE_CLAIM_METADATA, context.getHandler()) ?? [];
    return [...fromClass, ...fromMethod];
  }

  /** Verifies the session and its claims; throws the module's 401/403 errors. */
  protected async verify(
    pair: RequestExchange,
    options: VerifySessionOptions,
    requiredClaims: SessionClaimValidator[],
  ): Promise<SessionContainer | undefined> {
    const service = this.resolveService(pair);
    const override = options.overrideGlobalClaimValidators;
    const withRequired: VerifySessionOptions['overrideGlobalClaimValidators'] =
      requiredClaims.length === 0
        ? override
        : async (globalValidators, session, userContext) => [
            ...(override ? await override(globalValidators, session, userContext) : globalValidators),
            ...requiredClaims,
          ];
    return service.getSession(pair.request, pair.response, { ...options, overrideGlobalClaimValidators: withRequired });
  }

  /** Puts the session where `@Session()` (ours and Nest's own) reads it. */
  protected attachSession(pair: RequestExchange, session: SessionContainer | undefined): void {
    const service = this.resolveService(pair);
    const request = pair.request as unknown as Record<string | symbol, unknown>;
    request[SESSION_KEY] = session;
    request[service.requestProperty] = session;
  }

  private resolveService(pair: RequestExchange): SessionService {
    const service = this.sessionService ?? readRequestSymbol<SessionService>(pair.request, SESSION_SERVICE_KEY);
    if (!service) {
      throw new SessionConfigError(
        'AuthGuard could not find a SessionService for this request: import SessionModule.forRoot(...) in the application module',
      );
    }
    return service;
  }
}
