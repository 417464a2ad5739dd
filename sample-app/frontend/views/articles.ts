import { type Api, errorMessage } from '../api';
import { busy, byId, el, notify } from '../dom';

interface Article {
  id: string;
  title: string;
  body: string;
  updatedAt: string;
  updatedBy: string | null;
}

/**
 * The articles card: `GET /articles` needs the "read" permission, editing needs "edit". The
 * page offers the edit button from the payload's `st-perm`; the backend checks it again.
 */
export class ArticlesView {
  private canEdit = false;

  constructor(private readonly api: Api) {
    byId<HTMLButtonElement>('articles-reload').addEventListener('click', (event) => {
      void busy(event.currentTarget as HTMLButtonElement, () => this.load());
    });
  }

  setCanEdit(canEdit: boolean): void {
    this.canEdit = canEdit;
  }

  async load(): Promise<void> {
    const list = byId('articles');
    list.setAttribute('aria-busy', 'true');
    const result = await this.api<Article[]>('GET', '/articles');
    list.removeAttribute('aria-busy');
    list.dataset.loadedAt = String(Date.now());
    if (!result.ok) {
      list.replaceChildren(el('li', { class: 'error' }, `Articles are not available: ${errorMessage(result)}`));
      return;
    }
    list.replaceChildren(...result.body.map((article) => this.item(article)));
  }

  private item(article: Article): HTMLLIElement {
    const editor = article.updatedBy ? `edited ${new Date(article.updatedAt).toLocaleString()}` : 'original text';
    const edit = this.canEdit ? el('button', { type: 'button', class: 'button small', onclick: () => item.replaceWith(this.editor(article)) }, 'Edit') : null;
    const item = el('li', { 'data-article': article.id }, el('h3', {}, el('span', {}, article.title), edit), el('p', {}, article.body), el('p', { class: 'small' }, editor));
    return item;
  }

  private editor(article: Article): HTMLLIElement {
    const input = el('input', { value: article.title, 'aria-label': 'Title', maxlength: '200' });
    const save = el('button', { type: 'submit', class: 'button primary small' }, 'Save');
    const form = el('form', {}, input, save, el('button', { type: 'button', class: 'button small', onclick: () => void this.load() }, 'Cancel'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(save, async () => {
        const result = await this.api('POST', `/articles/${encodeURIComponent(article.id)}/edit`, { title: input.value });
        if (!result.ok) notify(`Not saved: ${errorMessage(result)}`, 'warning');
        await this.load();
      });
    });
    return el('li', { 'data-article': article.id }, form);
  }
}
