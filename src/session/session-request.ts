import type { IncomingMessage } from 'node:http';
import type { JSONObject } from '../json';
import type { SessionContainer } from './session-container';

/**
 * A request a guarded handler receives, with the verified session under `session` (the default
 * `requestProperty`), as SuperTokens' `SessionRequest`: `SessionRequest<express.Request>`,
 * `SessionRequest<FastifyRequest>`, or a plain Node request by default; `TPayload` types the
 * session's payload as in `SessionContainer<TPayload>`.
 */
export type SessionRequest<TRequest extends object = IncomingMessage, TPayload extends object = JSONObject> = TRequest & {
  session?: SessionContainer<TPayload>;
};
