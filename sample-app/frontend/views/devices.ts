import type { Api, ApiResult } from '../api';
import { errorMessage } from '../api';
import { byId, el, notify } from '../dom';

/** One signed-in device, as `GET /me/sessions` (the library's `session.listSessions()`) describes it. */
export interface DeviceRow {
  sessionHandle: string;
  timeCreated: number;
  lastRefreshedAt: number;
  lastIp: string | null;
  device: { label: string; type: string };
  current: boolean;
}

/** The claim the API's step-up check fails with (the library's `FreshAuthClaim`). */
const FRESH_AUTH_CLAIM = 'st-auth';

/** True for the API's 403 `invalid claim` answer that names the step-up claim. */
function needsFreshAuth(result: ApiResult): boolean {
  const errors: unknown = result.body?.claimValidationErrors;
  return result.status === 403 && Array.isArray(errors) && errors.some((error) => error?.id === FRESH_AUTH_CLAIM);
}

/**
 * "Your devices": the user's sessions, newest first, each with a sign-out button (the current
 * one signs out through the SDK, so the page follows), and a password change that signs out
 * every other device.
 *
 * Signing out another device is a step-up action: when the sign-in is older than the API's
 * window, the API answers 403 `invalid claim` (`st-auth`), the SDK reports `API_INVALID_CLAIM`,
 * and this view asks for the password, then retries.
 */
export class DevicesView {
  constructor(private readonly api: Api) {}

  async load(): Promise<void> {
    const container = byId('devices');
    const result = await this.api<DeviceRow[]>('GET', '/me/sessions');
    if (!result.ok) {
      container.replaceChildren(el('p', { class: 'muted' }, `Could not list your devices: ${errorMessage(result)}`));
      return;
    }
    container.replaceChildren(
      el('ul', { class: 'articles', 'data-hook': 'devices' }, ...result.body.map((row) => this.item(row))),
      this.passwordForm(),
    );
  }

  private item(row: DeviceRow): HTMLElement {
    const seen = new Date(row.lastRefreshedAt).toLocaleString();
    return el(
      'li',
      { 'data-session': row.sessionHandle },
      el('h3', {}, row.device.label, row.current ? el('span', { class: 'badge done' }, 'this device') : null),
      el('p', { class: 'muted' }, `${row.lastIp ?? 'IP not recorded'} · signed in ${new Date(row.timeCreated).toLocaleString()} · last active ${seen}`),
      row.current
        ? null
        : el('button', { type: 'button', class: 'secondary', onclick: () => void this.signOutDevice(row.sessionHandle) }, 'Sign out this device'),
    );
  }

  private async signOutDevice(handle: string): Promise<void> {
    const result = await this.api('POST', `/me/sessions/${encodeURIComponent(handle)}/revoke`);
    if (needsFreshAuth(result)) {
      this.askForPassword(() => this.signOutDevice(handle));
      return;
    }
    if (!result.ok) notify(`Could not sign out the device: ${errorMessage(result)}`, 'warning');
    await this.load();
  }

  /** The step-up prompt: the password renews the session's authentication time, then `retry` runs. */
  private askForPassword(retry: () => Promise<void>): void {
    const password = el('input', { type: 'password', id: 'reauth-password', placeholder: 'Your password', autocomplete: 'current-password', required: true });
    const error = el('p', { class: 'error', id: 'reauth-error', hidden: true });
    const submit = async (event: Event) => {
      event.preventDefault();
      const result = await this.api('POST', '/me/reauthenticate', { password: password.value });
      if (!result.ok) {
        error.textContent = result.body?.message === 'wrong password' ? 'Wrong password.' : errorMessage(result);
        error.hidden = false;
        return;
      }
      form.remove();
      await retry();
    };
    const form = el(
      'form',
      { id: 'reauth-form', onsubmit: submit },
      el('h3', {}, 'Confirm it is you'),
      el('p', { class: 'muted' }, 'Signing out another device needs a recent sign-in. Enter your password again.'),
      password,
      error,
      el('button', { type: 'submit' }, 'Confirm'),
    );
    document.getElementById('reauth-form')?.remove();
    byId('devices').prepend(form);
    password.focus();
  }

  private passwordForm(): HTMLElement {
    const current = el('input', { type: 'password', name: 'currentPassword', placeholder: 'Current password', autocomplete: 'current-password' });
    const next = el('input', { type: 'password', name: 'newPassword', placeholder: 'New password (8+ characters)', autocomplete: 'new-password' });
    const submit = async (event: Event) => {
      event.preventDefault();
      const result = await this.api<{ signedOut: number }>('POST', '/me/password', { currentPassword: current.value, newPassword: next.value });
      if (!result.ok) {
        notify(`Password not changed: ${errorMessage(result)}`, 'warning');
        return;
      }
      current.value = '';
      next.value = '';
      notify(`Password changed; ${result.body.signedOut} other device(s) signed out.`);
      await this.load();
    };
    return el('form', { id: 'password-form', onsubmit: submit }, el('h3', {}, 'Change password'), current, next, el('button', { type: 'submit' }, 'Change password and sign out other devices'));
  }
}
