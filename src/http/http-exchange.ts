import type { ExecutionContext } from '@nestjs/common';
import type { HttpExchange, RequestLike, ResponseLike } from '../transport/http-objects';

/** An exchange that has a request: what an execution context gives. */
export type RequestExchange = HttpExchange & { request: RequestLike };

type GqlModule = { GqlExecutionContext: { create(ctx: ExecutionContext): { getContext(): Record<string, unknown> } } };
let gql: GqlModule | null | undefined;

/** `@nestjs/graphql` stays an optional peer: loaded on the first GraphQL request only. */
function loadGraphql(): GqlModule | null {
  if (gql === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      gql = require('@nestjs/graphql') as GqlModule;
    } catch {
      gql = null;
    }
  }
  return gql;
}

/** Request/response for HTTP and GraphQL contexts; the guard and `@Session()` share it. */
export function getHttpExchange(context: ExecutionContext): RequestExchange {
  const type = context.getType<string>();
  if (type === 'http') {
    const http = context.switchToHttp();
    return { request: http.getRequest<RequestLike>(), response: http.getResponse<ResponseLike>() };
  }
  if (type === 'graphql') {
    const module = loadGraphql();
    if (!module) throw new Error('nest-session: GraphQL context without @nestjs/graphql installed');
    const ctx = module.GqlExecutionContext.create(context).getContext();
    const request = (ctx.req ?? ctx.request) as RequestLike;
    const response = (ctx.res ?? ctx.reply ?? (request as { res?: unknown })?.res) as ResponseLike | undefined;
    return { request, response };
  }
  throw new Error(`nest-session: sessions are not supported in "${type}" contexts`);
}
