import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** The page's colour themes. */
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** Payload key of the theme: a plain custom claim, readable by the page from the front-token. */
export const THEME_KEY = 'theme';

/** Validates a `{ "theme": "light" | "dark" }` body and returns the theme; anything else is a 400. */
export class ThemeBodyPipe implements PipeTransform<unknown, Theme> {
  transform(body: unknown): Theme {
    const theme = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).theme : undefined;
    if (typeof theme !== 'string' || !(THEMES as readonly string[]).includes(theme)) {
      throw new BadRequestException({ message: `the body must be {"theme": ${THEMES.map((t) => `"${t}"`).join(' | ')}}` });
    }
    return theme as Theme;
  }
}
