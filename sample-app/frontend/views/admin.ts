import { type Api, errorMessage } from '../api';
import { busy, byId, el, notify, tags } from '../dom';

interface AdminUser {
  id: string;
  email: string;
  emailVerified: boolean;
  roles: string[];
}

/**
 * The admin card, shown when the payload's `st-role` includes "admin" (a frontend check for the
 * layout only: every `/admin` route checks the role again on the server and answers 403).
 */
export class AdminView {
  constructor(private readonly api: Api) {
    byId<HTMLButtonElement>('admin-reload').addEventListener('click', (event) => {
      void busy(event.currentTarget as HTMLButtonElement, () => this.load());
    });
  }

  setVisible(visible: boolean): void {
    byId('admin-card').hidden = !visible;
  }

  async load(): Promise<void> {
    const body = byId('admin-users');
    const result = await this.api<AdminUser[]>('GET', '/admin/users');
    if (!result.ok) {
      body.replaceChildren(el('tr', {}, el('td', { colspan: '4', class: 'error' }, `Refused by the server: ${errorMessage(result)}`)));
      return;
    }
    body.replaceChildren(...result.body.map((user) => this.row(user)));
  }

  private row(user: AdminUser): HTMLTableRowElement {
    const isEditor = user.roles.includes('editor');
    const toggle = el('button', { type: 'button', class: 'button small' }, isEditor ? 'Remove editor' : 'Make editor');
    toggle.addEventListener('click', () => {
      void busy(toggle, async () => {
        const path = `/admin/users/${encodeURIComponent(user.id)}/roles`;
        const result = isEditor ? await this.api('DELETE', `${path}/editor`) : await this.api('POST', path, { role: 'editor' });
        if (!result.ok) notify(`Role not changed: ${errorMessage(result)}`, 'warning');
        await this.load();
      });
    });
    return el('tr', { 'data-user': user.email }, el('td', {}, user.email), el('td', {}, user.emailVerified ? 'yes' : 'no'), el('td', {}, ...tags(user.roles)), el('td', {}, toggle));
  }
}
