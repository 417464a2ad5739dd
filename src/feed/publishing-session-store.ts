import type { SessionStore } from '../storage/session-store';
import type { FeedEvent } from './feed-event';
import type { RevocationFeed } from './revocation-feed';

/** The event a store write publishes, from its arguments and result; undefined when nothing changed. */
type Publication = (feed: RevocationFeed, args: any[], result: any) => FeedEvent | undefined;

const revoked: Publication = (feed, _args, handles: string[]) => (handles.length > 0 ? { kind: 'revoked', handles, until: feed.revocationUntil() } : undefined);
const payloadOf: Publication = (_feed, args, changed: unknown) => (changed ? { kind: 'payload', handles: [String(args[0])] } : undefined);

/**
 * Store methods whose writes other instances must hear about. Every revocation path (one, many,
 * all of a user, theft, the session's own sign-out, ...) ends in `delete` or `deleteForUser`;
 * every payload change in a merge or replace. A new SessionStore method that deletes sessions or
 * changes payloads must be listed here.
 */
const PUBLICATIONS: Partial<Record<keyof SessionStore, Publication>> = {
  delete: revoked,
  deleteForUser: revoked,
  deleteForUserExcept: revoked,
  deleteOfUser: (feed, args, deleted: boolean) => (deleted ? revoked(feed, args, [String(args[0])]) : undefined),
  // Sessions evicted by maxSessionsPerUser are revoked like any other.
  createWithinCap: (feed, args, outcome: { evicted: string[] }) => revoked(feed, args, outcome.evicted),
  mergePayload: payloadOf,
  mergePayloadIfExists: payloadOf,
  replacePayload: payloadOf,
  mergePayloadForUser: (_feed, args, count: number) =>
    count > 0 ? { kind: 'user-payload', userId: String(args[0]), tenantId: typeof args[1] === 'string' ? args[1] : null } : undefined,
};

/**
 * The session store as the module uses it when the feed is on: the same store, each write of
 * {@link PUBLICATIONS} followed by its event (awaited, so when `revokeSession` resolves the news is
 * on its way). A Proxy, so methods the interface gains later pass through unchanged.
 */
export function publishingSessionStore(store: SessionStore, feed: RevocationFeed): SessionStore {
  if (!feed.enabled) return store;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      const publication = typeof property === 'string' ? PUBLICATIONS[property as keyof SessionStore] : undefined;
      if (!publication || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const event = publication(feed, args, result);
        if (event) await feed.publish(event);
        return result;
      };
    },
  });
}
