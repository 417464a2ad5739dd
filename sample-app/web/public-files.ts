import { Injectable, Logger } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The page's files; a fixed list, so no request path ever reaches the file system. */
export const PUBLIC_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'styles.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
} as const;

export type PublicFileName = keyof typeof PUBLIC_FILES;

/** Built from `sample-app/frontend/` by `npm run build:frontend` (part of `npm start`); not in git. */
export const BUNDLE_FILE: PublicFileName = 'app.js';

/**
 * `sample-app/public/` holds plain files that the TypeScript build does not copy. This code runs
 * from `sample-app/web/` (ts-jest, ts-node) or `build/sample-app/web/` (`npm start`), so it looks
 * upward from here for `public/` or `sample-app/public/` instead of trusting `__dirname` or the cwd.
 */
export function findPublicDirectory(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'public'), join(dir, 'sample-app', 'public')]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    if (dirname(dir) === dir) throw new Error(`sample-app/public/index.html not found above ${start}`);
  }
}

/**
 * The page's files, read once at start. The script bundle is generated: when it is missing (a
 * test run or `ts-node` without `npm run build:frontend`) the app still starts, says so in the
 * log, and `read` returns undefined for it.
 */
@Injectable()
export class PublicFiles {
  private readonly contents = new Map<PublicFileName, string>();

  constructor() {
    const directory = findPublicDirectory();
    for (const name of Object.keys(PUBLIC_FILES) as PublicFileName[]) {
      const path = join(directory, name);
      if (name === BUNDLE_FILE && !existsSync(path)) {
        new Logger('PublicFiles').warn(`${path} is not built: run "npm run build:frontend" (npm start does it)`);
        continue;
      }
      this.contents.set(name, readFileSync(path, 'utf8'));
    }
  }

  read(name: PublicFileName): string | undefined {
    return this.contents.get(name);
  }
}
