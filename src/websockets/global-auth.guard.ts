import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '../guards/auth.guard';
import { WsAuthGuard } from './ws-auth.guard';
import { WsSessions } from './ws-sessions.service';

/** Where `@UseGuards(...)` keeps its guards (`GUARDS_METADATA` of @nestjs/common, not exported from its entry in Nest 11). */
const GUARDS_METADATA = '__guards__';

/**
 * The module's global guard (`globalGuard: true`). HTTP and GraphQL: `AuthGuard`. Gateway
 * messages: Nest 11 runs no global guard there, Nest 12 does (nest #8060), and `AuthGuard` cannot
 * read a socket, so a message is checked as `WsAuthGuard` checks it (opt out with `@Public()`),
 * once: a handler or gateway that has `@UseGuards(WsAuthGuard)` is left to that guard.
 */
@Injectable()
export class GlobalAuthGuard implements CanActivate {
  private readonly ws: WsAuthGuard;

  constructor(
    private readonly http: AuthGuard,
    wsSessions: WsSessions,
    private readonly reflector: Reflector,
  ) {
    this.ws = new WsAuthGuard(wsSessions, reflector);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'ws') return this.http.canActivate(context);
    const guards = this.reflector.getAllAndMerge<unknown[]>(GUARDS_METADATA, [context.getHandler(), context.getClass()]);
    if (guards.some(isWsAuthGuard)) return true;
    return this.ws.canActivate(context);
  }
}

/** `@UseGuards(WsAuthGuard)`, an instance, or a subclass of it. */
function isWsAuthGuard(guard: unknown): boolean {
  return guard instanceof WsAuthGuard || (typeof guard === 'function' && (guard === WsAuthGuard || guard.prototype instanceof WsAuthGuard));
}
