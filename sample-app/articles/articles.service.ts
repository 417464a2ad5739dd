import { Injectable } from '@nestjs/common';

/** A demo article. */
export interface Article {
  id: string;
  title: string;
  body: string;
  updatedAt: string;
  /** User id of the last editor; `null` for the seeded text. */
  updatedBy: string | null;
}

/** A few articles in memory (per app instance): enough to show permission checks, not a CMS. */
@Injectable()
export class ArticlesService {
  private readonly articles = new Map<string, Article>(
    [
      { id: '1', title: 'Welcome', body: 'Anyone with the "read" permission sees this.' },
      { id: '2', title: 'Claims 101', body: 'Editors and admins may change this text.' },
    ].map((a) => [a.id, { ...a, updatedAt: new Date().toISOString(), updatedBy: null }]),
  );

  list(): Article[] {
    return [...this.articles.values()];
  }

  find(id: string): Article | undefined {
    return this.articles.get(id);
  }

  /** Applies an edit; undefined when the article does not exist. */
  edit(id: string, change: { title?: string; body?: string }, userId: string): Article | undefined {
    const article = this.articles.get(id);
    if (!article) return undefined;
    const edited: Article = { ...article, ...change, updatedAt: new Date().toISOString(), updatedBy: userId };
    this.articles.set(id, edited);
    return edited;
  }
}
