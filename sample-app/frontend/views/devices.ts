import { byId, el } from '../dom';

/** One signed-in device, as the session-listing API will describe it. */
export interface DeviceRow {
  sessionHandle: string;
  userAgent: string;
  ip: string;
  createdAt: string;
  lastRefreshAt: string;
  current: boolean;
}

/**
 * HOOK — "Your devices". The library's session listing (`listSessionsForUser`, with device
 * metadata and `current`) is not served by the sample app yet. When it is (e.g. `GET
 * /me/sessions`), fetch it here and return the rows; `renderDevices` then lists them. Until
 * then this returns undefined and the card shows a placeholder.
 */
export async function loadDevices(): Promise<DeviceRow[] | undefined> {
  return undefined;
}

export async function renderDevices(): Promise<void> {
  const container = byId('devices');
  const rows = await loadDevices();
  if (rows === undefined) {
    container.replaceChildren(
      el('p', { class: 'placeholder', 'data-hook': 'devices' }, 'Coming soon: the browsers and devices signed in to your account, with a way to sign them out.'),
    );
    return;
  }
  container.replaceChildren(
    el(
      'ul',
      { class: 'articles' },
      ...rows.map((row) =>
        el('li', {}, el('h3', {}, row.userAgent, row.current ? el('span', { class: 'badge done' }, 'this device') : null), el('p', {}, `${row.ip} · last active ${row.lastRefreshAt}`)),
      ),
    ),
  );
}
