import type { ArgumentsHost } from '@nestjs/common';
import type { HttpExchange, RequestLike, ResponseLike } from '../transport/http-objects';

/** An exchange that has a request: what an HTTP or GraphQL context gives. */
export type RequestExchange = HttpExchange & { request: RequestLike };

/** The prototype of Nest's own `ExecutionContextHost`, once seen (see {@link isNestHttpHost}). */
let nestHostPrototype: object | undefined;

/**
 * Whether `host` is Nest's own context (`ExecutionContextHost`, what guards and parameter
 * decorators get) of an HTTP request. Its arguments are `[request, response, next]`, so the
 * request and response are `host.getArgByIndex(0)` and `(1)`: what `switchToHttp().getRequest()`
 * answers, without the three closures `switchToHttp()` assigns to the context on every call nor
 * an exchange object (the guard's steady-state path). Any other host (a test's mock context, a
 * subclass's own) is read through {@link exchangeOfHost}. Recognised by its class name, not
 * imported: `@nestjs/core`'s deep paths differ between majors.
 */
export function isNestHttpHost(host: ArgumentsHost): boolean {
  const prototype: unknown = Object.getPrototypeOf(host);
  if (prototype !== nestHostPrototype) {
    if ((prototype as { constructor?: { name?: unknown } } | null)?.constructor?.name !== 'ExecutionContextHost') return false;
    nestHostPrototype = prototype as object;
  }
  return host.getType() === 'http';
}

/** The request of an HTTP or GraphQL context (see {@link getHttpExchange}), without an exchange object for Nest's own HTTP context. */
export function getHttpRequest(host: ArgumentsHost): RequestLike {
  return isNestHttpHost(host) ? (host.getArgByIndex(0) as RequestLike) : getHttpExchange(host).request;
}

/**
 * Request/response of an HTTP or GraphQL context (the guard, `@Session()` and the error filter
 * share it); `undefined` for other contexts (RPC, WebSockets). GraphQL resolvers get
 * `(root, args, context, info)`: the context holds the request (`req` with Express/Apollo,
 * `request`/`reply` with Fastify/Mercurius), so `@nestjs/graphql` need not be loaded.
 */
export function exchangeOfHost(host: ArgumentsHost): RequestExchange | undefined {
  const type = host.getType<string>();
  if (type === 'http') {
    const http = host.switchToHttp();
    return { request: http.getRequest<RequestLike>(), response: http.getResponse<ResponseLike>() };
  }
  if (type === 'graphql') {
    const ctx = (host.getArgByIndex(2) ?? {}) as Record<string, unknown>;
    // Mercurius' own context has the reply, whose `request` is the Fastify request.
    const request = (ctx.req ?? ctx.request ?? (ctx.reply as { request?: unknown } | undefined)?.request) as RequestLike | undefined;
    if (!request) return undefined;
    const response = (ctx.res ?? ctx.reply ?? (request as { res?: unknown }).res) as ResponseLike | undefined;
    return { request, response };
  }
  return undefined;
}

/** {@link exchangeOfHost} for a context that must have one (the guard, `@Session()`). */
export function getHttpExchange(host: ArgumentsHost): RequestExchange {
  const exchange = exchangeOfHost(host);
  if (!exchange) throw new Error(`nest-session: sessions are not supported in "${host.getType()}" contexts`);
  return exchange;
}
