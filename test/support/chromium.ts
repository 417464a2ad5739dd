import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core never downloads a browser here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (root in CI), and nothing that phones home. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the browser suites run. Without Chromium they are skipped with a printed reason,
 * unless `TEST_BROWSER=required` (set by `.ci/run`), where a missing browser fails the run.
 */
export function chromiumAvailability(): { run: true } | { run: false; required: boolean; reason: string } {
  if (existsSync(CHROMIUM_PATH)) return { run: true };
  const required = process.env.TEST_BROWSER === 'required';
  return {
    run: false,
    required,
    reason: `${CHROMIUM_PATH} is missing (install it with "apt-get install -y chromium")${required ? ', and TEST_BROWSER=required' : ': browser tests skipped'}`,
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, timeout: 30_000 });
}

/** Numbered screenshots of one scenario under `test-results/browser/` (git-ignored). */
export class Screenshots {
  private count = 0;
  private readonly directory: string;

  constructor(...folders: string[]) {
    this.directory = path.join(__dirname, '..', '..', 'test-results', 'browser', ...folders);
    mkdirSync(this.directory, { recursive: true });
  }

  async take(page: Page, step: string): Promise<string> {
    this.count++;
    const file = path.join(this.directory, `${String(this.count).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }
}
