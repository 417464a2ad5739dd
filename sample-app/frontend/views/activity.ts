import { byId, el } from '../dom';
import type { SessionEvent } from '../supertokens';

/** Plain words for the SDK's session events. */
function describe(event: SessionEvent): string {
  switch (event.action) {
    case 'SESSION_CREATED':
      return 'Signed in: a new session was created';
    case 'REFRESH_SESSION':
      return 'Session refreshed (the access token had expired)';
    case 'ACCESS_TOKEN_PAYLOAD_UPDATED':
      return 'Session details updated by the server';
    case 'SIGN_OUT':
      return 'Signed out';
    case 'UNAUTHORISED':
      return event.sessionExpiredOrRevoked ? 'The server ended the session' : 'The server found no session';
    case 'API_INVALID_CLAIM':
      return `The server refused a request: ${event.claimValidationErrors.map((error: { id: string }) => error.id).join(', ')} not satisfied`;
    case 'SESSION_ALREADY_EXISTS':
      return 'A session already exists';
    default:
      // A newer SDK may add actions: show unknown ones by name.
      return (event as { action: string }).action;
  }
}

/** The "Session activity" panel: the SDK's events, newest first (kept short). */
export function recordActivity(event: SessionEvent): void {
  const list = byId('activity');
  list.prepend(el('li', { 'data-action': event.action }, `${new Date().toLocaleTimeString()} · ${describe(event)}`));
  while (list.children.length > 30) list.lastElementChild!.remove();
}
