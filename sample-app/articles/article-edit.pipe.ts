import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** A validated edit: at least one of `title` (1-200 characters) and `body` (up to 10 000). */
export interface ArticleEdit {
  title?: string;
  body?: string;
}

const LIMITS = { title: [1, 200], body: [0, 10_000] } as const;

/** Validates `{ title?, body? }`; anything else is a 400 `{"message": ...}`. */
export class ArticleEditPipe implements PipeTransform<unknown, ArticleEdit> {
  transform(body: unknown): ArticleEdit {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object {"title"?, "body"?}');
    const edit: ArticleEdit = {};
    for (const field of ['title', 'body'] as const) {
      const value = (body as Record<string, unknown>)[field];
      if (value === undefined) continue;
      const [min, max] = LIMITS[field];
      if (typeof value !== 'string' || value.length < min || value.length > max) {
        throw invalid(`${field} must be a string of ${min} to ${max} characters`);
      }
      edit[field] = value;
    }
    if (Object.keys(edit).length === 0) throw invalid('nothing to change: send "title" and/or "body"');
    return edit;
  }
}

function invalid(message: string): BadRequestException {
  return new BadRequestException({ message });
}
