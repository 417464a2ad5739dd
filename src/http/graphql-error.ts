import type { SessionError, SessionErrorResponse } from '../errors/session-error';

/** What `graphql` exports that we use; the package is an optional peer, loaded on first use. */
interface GraphQLModule {
  GraphQLError: new (message: string, options?: { originalError?: Error; extensions?: Record<string, unknown> }) => Error;
}

let graphql: GraphQLModule | undefined;

/** `graphql` of the app, loaded only when a GraphQL request fails a session check. */
function loadGraphQL(): GraphQLModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  graphql ??= require('graphql') as GraphQLModule;
  return graphql;
}

const GRAPHQL_CODES: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN' };

/**
 * A session failure as a GraphQL error: the message is SuperTokens' (`unauthorised`, `try refresh
 * token`, `token theft detected`, `invalid claim`), and `extensions` carry the whole HTTP body
 * (`message`, `claimValidationErrors`...) with `code` (`UNAUTHENTICATED` / `FORBIDDEN`, the
 * GraphQL servers' convention), `statusCode` and the error `type`, so a client can tell
 * "refresh and retry" from "sign in again" from "missing claim" without parsing messages.
 * An `errorHandlers` answer replaces the body and status here too.
 */
export function sessionGraphQLError(error: SessionError, answer: SessionErrorResponse): Error {
  const body = answer.body !== null && typeof answer.body === 'object' ? (answer.body as Record<string, unknown>) : { message: answer.body };
  const message = typeof body.message === 'string' ? body.message : error.message;
  const { GraphQLError } = loadGraphQL();
  return new GraphQLError(message, {
    originalError: error,
    extensions: { code: GRAPHQL_CODES[answer.statusCode] ?? 'INTERNAL_SERVER_ERROR', statusCode: answer.statusCode, type: error.type, ...body },
  });
}
