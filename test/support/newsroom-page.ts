import type { BrowserContext, Page } from 'playwright-core';
import type { Outbox } from '../../sample-app/outbox/outbox.service';

/** The page's `document`, inside callbacks that run in the browser (the tests compile without DOM types). */
type BrowserDocument = {
  body: { dataset: Record<string, string | undefined> };
  getElementById(id: string): { textContent: string | null; dataset: Record<string, string | undefined>; getAttribute(name: string): string | null } | null;
};

/** The views of the sample's page (`body[data-view]`). */
export type NewsroomView = 'loading' | 'signed-out' | 'steps' | 'app';

/** One `POST …/session/refresh` the browser made, with its answer. */
export interface RefreshCall {
  status: number;
  message?: string;
}

/** Records every refresh call the pages of a context make, with the answer's message. */
export class RefreshCalls {
  private readonly calls: RefreshCall[] = [];
  private readonly bodies: Promise<unknown>[] = [];

  constructor(context: BrowserContext) {
    context.on('response', (response) => {
      if (response.request().method() !== 'POST' || !response.url().endsWith('/auth/session/refresh')) return;
      const call: RefreshCall = { status: response.status() };
      this.calls.push(call);
      this.bodies.push(
        response.json().then(
          (body: { message?: string }) => (call.message = body?.message),
          () => undefined,
        ),
      );
    });
  }

  /**
   * The calls so far, once their bodies are read. Playwright reports a response to the context a
   * little after the page has used it: `minimum` waits (up to 5 s) until that many have arrived.
   */
  async settled(minimum = 0): Promise<RefreshCall[]> {
    for (const deadline = Date.now() + 5000; this.calls.length < minimum && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await Promise.all(this.bodies);
    return [...this.calls];
  }

  /** Forgets the calls so far (e.g. the one the SDK makes when a page opens signed out). */
  clear(): void {
    this.calls.length = 0;
  }
}

/**
 * Drives the sample's page the way a person does: through its form fields and buttons. It never
 * touches a token; what it reads is what the page shows.
 */
export class NewsroomPage {
  /** Uncaught exceptions in the page: a crash, whatever the page showed. */
  readonly errors: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (error) => this.errors.push(error.message));
  }

  /** Opens the page in a new tab of `context` (or in `tab`). */
  static async open(context: BrowserContext, origin: string, tab?: Page): Promise<NewsroomPage> {
    const newsroom = new NewsroomPage(tab ?? (await context.newPage()));
    await newsroom.page.goto(`${origin}/`);
    await newsroom.page.waitForSelector('body[data-view]:not([data-view="loading"])');
    return newsroom;
  }

  view(): Promise<string | null> {
    return this.page.getAttribute('body', 'data-view');
  }

  async waitForView(view: NewsroomView, timeout = 10_000): Promise<void> {
    await this.page.waitForSelector(`body[data-view="${view}"]`, { timeout });
  }

  text(selector: string): Promise<string> {
    return this.page.locator(selector).innerText();
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.page.fill('#email', email);
    await this.page.fill('#password', password);
    await this.page.click('#auth-submit');
  }

  async signUp(email: string, password: string): Promise<void> {
    if ((await this.text('#auth-submit')) !== 'Create account') await this.page.click('#auth-switch');
    await this.signIn(email, password);
  }

  /** Enters the code the app "sent" to this user for their newest session. */
  async enterSecondFactorCode(outbox: Outbox, email: string): Promise<void> {
    await this.page.waitForSelector('#code-form:not([hidden])');
    const code = outbox.latest('two-factor-code', email)!.data.code;
    await this.page.fill('#code', code);
    await this.page.click('#code-submit');
  }

  /** The access-token payload the page shows in its raw JSON panel. */
  async payload(): Promise<Record<string, any>> {
    return JSON.parse(await this.page.locator('#raw-json').textContent() ?? '{}').accessTokenPayload;
  }

  /** Waits until the page shows the payload of an access token issued after the one that expires at `exp`. */
  async waitForNewerAccessToken(exp: number): Promise<Record<string, any>> {
    await this.page.waitForFunction((previous) => {
      const text = (globalThis as unknown as { document: BrowserDocument }).document.getElementById('raw-json')?.textContent;
      return Boolean(text) && JSON.parse(text!).accessTokenPayload.exp > previous;
    }, exp);
    return this.payload();
  }

  /**
   * Waits until the access token these pages hold has expired. Tabs of one browser share their
   * tokens, but a tab re-renders only for its own SDK's events: the newest `exp` shown counts.
   */
  static async waitForAccessTokenExpiry(...pages: NewsroomPage[]): Promise<void> {
    const newestExp = async () => Math.max(...(await Promise.all(pages.map(async (page) => (await page.payload()).exp as number))));
    // Read again after the wait: a render that was still queued may show a newer token (an online merge).
    for (let exp = await newestExp(), seen = 0; exp !== seen; seen = exp, exp = await newestExp()) {
      const wait = exp * 1000 - Date.now() + 250;
      if (wait > 0) await pages[0].page.waitForTimeout(wait);
    }
  }

  waitForAccessTokenExpiry(): Promise<void> {
    return NewsroomPage.waitForAccessTokenExpiry(this);
  }

  /** Clicks "Reload" on the articles and waits until the list was loaded again (or failed). */
  async reloadArticles(): Promise<void> {
    const before = await this.page.getAttribute('#articles', 'data-loaded-at');
    await this.page.click('#articles-reload');
    await this.page.waitForFunction(
      (previous) => {
        const document = (globalThis as unknown as { document: BrowserDocument }).document;
        const list = document.getElementById('articles')!;
        return document.body.dataset.view !== 'app' || (list.dataset.loadedAt !== previous && list.getAttribute('aria-busy') === null);
      },
      before,
    );
  }

  articleTitles(): Promise<string[]> {
    return this.page.locator('#articles li h3 > span').allInnerTexts();
  }
}
