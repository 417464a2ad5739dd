import { SetMetadata } from '@nestjs/common';
import type { SessionEvent } from './session-event';

/** Metadata key of {@link SessionListener}. */
export const SESSION_LISTENER_METADATA = 'nest-session:session-listener';

/**
 * A Nest provider that receives every session lifecycle event: implement this interface, mark
 * the class `@SessionListener()` and list it in a module's `providers`. Listeners run after the
 * change is stored and before the response; a listener that throws is logged, never fails the
 * request. Keep them quick (queue slow work).
 */
export interface SessionEventsListener {
  onSessionEvent(event: SessionEvent): void | Promise<void>;
}

/** Marks a provider implementing {@link SessionEventsListener}; the module finds it at start. */
export function SessionListener(): ClassDecorator {
  return SetMetadata(SESSION_LISTENER_METADATA, true);
}
