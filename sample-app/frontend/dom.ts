/** The element with this id (the page's HTML declares every one the scripts use). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

type Child = Node | string | null | undefined | false;

/** A new element with attributes (`on*` functions become listeners) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | ((event: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/** Small tags for a list of strings (roles, permissions). */
export function tags(values: readonly string[]): Node[] {
  return values.length === 0 ? [el('span', { class: 'muted' }, 'none')] : values.map((value) => el('span', { class: 'tag' }, value));
}

/** The banner at the top of the page. */
export function notify(text: string, kind: 'info' | 'warning' = 'info'): void {
  const notice = byId('notice');
  notice.textContent = text;
  notice.className = `notice ${kind}`;
  notice.hidden = false;
}

export function clearNotice(): void {
  byId('notice').hidden = true;
}

/** Disables a button while its action runs, so a double click sends one request. */
export async function busy<T>(button: HTMLButtonElement, action: () => Promise<T>): Promise<T> {
  button.disabled = true;
  try {
    return await action();
  } finally {
    button.disabled = false;
  }
}
