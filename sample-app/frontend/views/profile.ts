import { type Api, errorMessage } from '../api';
import { PermissionClaim, UserRoleClaim } from '../claims';
import { busy, byId, notify, tags } from '../dom';

/** The access-token payload as the SDK gives it. */
export type Payload = Record<string, any>;

/** The theme is a custom claim of the payload, set by `POST /me/preferences` (an online merge). */
export function themeOf(payload: Payload): 'light' | 'dark' {
  return payload.theme === 'dark' ? 'dark' : 'light';
}

/** The account card: everything but the email comes from the payload the SDK holds. */
export function renderProfile(userId: string, payload: Payload): void {
  byId('profile-user-id').textContent = userId;
  byId('profile-roles').replaceChildren(...tags(UserRoleClaim.getValueFromPayload(payload) ?? []));
  byId('profile-permissions').replaceChildren(...tags(PermissionClaim.getValueFromPayload(payload) ?? []));
  byId('profile-expiry').textContent =
    typeof payload.exp === 'number' ? `valid until ${new Date(payload.exp * 1000).toLocaleTimeString()}, refreshed by the SDK when it expires` : 'unknown';
  const theme = themeOf(payload);
  byId('theme-value').textContent = theme;
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-theme]')) {
    button.setAttribute('aria-pressed', String(button.dataset.theme === theme));
  }
  byId('raw-json').textContent = JSON.stringify({ userId, accessTokenPayload: payload }, null, 2);
}

/** The email is not in the payload: `GET /me` gives it (and the header shows it). */
export async function loadProfileEmail(api: Api): Promise<void> {
  const result = await api<{ email: string | null }>('GET', '/me');
  const email = result.ok ? (result.body.email ?? '(account deleted)') : '…';
  byId('profile-email').textContent = email;
  if (result.ok) byId('account-name').textContent = email;
}

export function setUpProfile(api: Api): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-theme]')) {
    button.addEventListener('click', () => {
      void busy(button, async () => {
        // No local state: the answer's front-token carries the new payload, the SDK fires
        // ACCESS_TOKEN_PAYLOAD_UPDATED and the page re-renders from it.
        const result = await api('POST', '/me/preferences', { theme: button.dataset.theme });
        if (!result.ok) notify(`The theme was not saved: ${errorMessage(result)}`, 'warning');
      });
    });
  }
}
