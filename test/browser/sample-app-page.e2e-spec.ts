import type { Browser, BrowserContext } from 'playwright-core';
import { DEMO_USERS } from '../../sample-app/users/demo-users.seeder';
import { chromiumAvailability, launchChromium, Screenshots } from '../support/chromium';
import { NewsroomPage, RefreshCalls } from '../support/newsroom-page';
import { type RunningSampleApi, startSampleApi, startStaticSite, type StaticSite } from '../support/sample-site';

/**
 * The sample app's page, on SuperTokens' own frontend SDK (`supertokens-web-js`), in Debian's
 * Chromium, against the sample app's API on another origin:
 *
 * - cookie mode: page on http://127.0.0.1:<a>, API on http://127.0.0.1:<b> (same site, other
 *   origin, like app.example.com and api.example.com): HttpOnly session cookies. Chromium does
 *   not send cookies to an API on another *site* (third-party cookies), so cross-site pages use
 * - header mode: page on http://127.0.0.1:<a>, API on http://localhost:<b> (another site).
 *
 * Access tokens live 3 s and a rotated refresh token is accepted again for 3 s, so refreshes,
 * the grace window and theft detection happen within a test; the step-up window (signing out
 * another device) is 4 s. Screenshots of every step go to
 * test-results/browser/<mode>/.
 */
const ACCESS_TOKEN_VALIDITY = 3;
const REFRESH_GRACE_PERIOD = 3;
const STEP_UP_MAX_AGE = 4;
const [alice, bob] = DEMO_USERS;

const availability = chromiumAvailability();
if (!availability.run) console.warn(`browser suite: ${availability.reason}`);

if (!availability.run && availability.required) {
  describe('the sample page in Chromium', () => {
    it('needs Chromium (TEST_BROWSER=required)', () => {
      throw new Error(availability.reason);
    });
  });
}

(availability.run ? describe : describe.skip).each(['cookie', 'header'] as const)('the sample page in Chromium (%s mode, page and API on different origins)', (mode) => {
  jest.setTimeout(90_000);
  let browser: Browser;
  let site: StaticSite;
  let api: RunningSampleApi;
  const contexts: BrowserContext[] = [];
  const pages: NewsroomPage[] = [];

  beforeAll(async () => {
    site = await startStaticSite();
    api = await startSampleApi({
      SAMPLE_DB: ':memory:',
      ACCESS_TOKEN_VALIDITY: String(ACCESS_TOKEN_VALIDITY),
      REFRESH_GRACE_PERIOD: String(REFRESH_GRACE_PERIOD),
      STEP_UP_MAX_AGE: String(STEP_UP_MAX_AGE),
      WEBSITE_ORIGIN: site.origin,
    });
    site.config.apiDomain = `http://${mode === 'cookie' ? '127.0.0.1' : 'localhost'}:${api.port}`;
    site.config.tokenTransferMethod = mode;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await site?.close();
  });

  /** A fresh browser profile (its own cookies and storage). */
  async function newContext(storageState?: Awaited<ReturnType<BrowserContext['storageState']>>): Promise<BrowserContext> {
    const context = await browser.newContext({ storageState, viewport: { width: 1180, height: 860 } });
    contexts.push(context);
    return context;
  }

  async function open(context: BrowserContext): Promise<NewsroomPage> {
    const page = await NewsroomPage.open(context, site.origin);
    pages.push(page);
    return page;
  }

  /** Signs a demo user in and through the 2FA gate: the page ends on the app view. */
  async function signedIn(context: BrowserContext, user: { email: string; password: string }, shots?: Screenshots): Promise<NewsroomPage> {
    const page = await open(context);
    await page.waitForView('signed-out');
    await page.signIn(user.email, user.password);
    await page.waitForView('steps');
    if (shots) await shots.take(page.page, '2fa-required');
    await page.enterSecondFactorCode(api.outbox, user.email);
    await page.waitForView('app');
    return page;
  }

  afterEach(async () => {
    // Nothing crashed in any page of the test, whatever it showed.
    const errors = pages.flatMap((page) => page.errors);
    pages.length = 0;
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(errors).toEqual([]);
  });

  it('signs in, passes the 2FA gate, reads the payload, merges it online, shows the admin area and signs out', async () => {
    const shots = new Screenshots(mode, 'admin-flow');
    const context = await newContext();
    const page = await open(context);
    await page.waitForView('signed-out');
    expect(await page.text('#transfer-mode')).toBe(`${mode} mode`);
    await shots.take(page.page, 'signed-out');

    await page.signIn(alice.email, 'not-her-password');
    await page.page.waitForSelector('#auth-error:not([hidden])');
    expect(await page.text('#auth-error')).toBe('Wrong email or password.');
    expect(await page.view()).toBe('signed-out');

    await page.signIn(alice.email, alice.password);
    await page.waitForView('steps');
    // The frontend BooleanClaim validator fails: the page holds the user at the 2FA step.
    expect(await page.text('#step-2fa-state')).toBe('2FA required');
    expect(await page.text('#step-email-state')).toBe('Verified');
    await shots.take(page.page, '2fa-required');

    const code = api.outbox.latest('two-factor-code', alice.email)!.data.code;
    await page.page.fill('#code', code === '000000' ? '111111' : '000000');
    await page.page.click('#code-submit');
    await page.page.waitForSelector('#code-error:not([hidden])');
    expect(await page.text('#code-error')).toBe('Wrong code: 4 tries left.');

    await page.enterSecondFactorCode(api.outbox, alice.email);
    await page.waitForView('app');
    await page.page.waitForSelector('#admin-users tr[data-user]');
    await shots.take(page.page, 'signed-in-admin');

    // User id and payload as the SDK reads them in the browser.
    const payload = await page.payload();
    const userId = await page.text('#profile-user-id');
    expect(payload).toMatchObject({ sub: userId, '2fa-completed': { v: true }, 'st-role': { v: ['admin'] }, 'st-ev': { v: true } });
    expect(await page.text('#profile-email')).toBe(alice.email);
    expect(await page.text('#account-name')).toBe(alice.email);
    expect(await page.text('#profile-roles')).toBe('admin');
    expect(await page.articleTitles()).toEqual(['Welcome', 'Claims 101']);
    // The admin area (a frontend role check) lists the users from the admin API.
    expect(await page.page.locator('#admin-users tr[data-user]').count()).toBeGreaterThanOrEqual(2);
    // The raw JSON stays folded away until asked for.
    expect(await page.page.locator('#raw-json').isVisible()).toBe(false);

    // Online merge: the new payload shows without a reload (same document, no navigation).
    await page.page.evaluate(() => ((globalThis as { marker?: string }).marker = 'same document'));
    expect(await page.text('#theme-value')).toBe('light');
    await page.page.click('button[data-theme="dark"]');
    await page.page.locator('#theme-value', { hasText: 'dark' }).waitFor();
    expect(await page.page.locator('body').getAttribute('class')).toBe('theme-dark');
    expect((await page.payload()).theme).toBe('dark');
    expect(await page.page.evaluate(() => (globalThis as { marker?: string }).marker)).toBe('same document');
    await page.page.click('#raw-panel summary');
    await shots.take(page.page, 'payload-merged-dark-theme');

    await page.page.click('#signout');
    await page.waitForView('signed-out');
    await shots.take(page.page, 'signed-out-again');
    if (mode === 'cookie') {
      const cookies = await context.cookies(site.config.apiDomain);
      expect(cookies.filter((cookie) => cookie.name === 'sAccessToken' || cookie.name === 'sRefreshToken')).toEqual([]);
    }
    // A reload finds no session either.
    await page.page.reload();
    await page.waitForView('signed-out');
  });

  it('a new account: sign-up, 2FA, email verification noticed without a reload, no admin area (the API refuses it too)', async () => {
    const shots = new Screenshots(mode, 'new-account');
    const email = `carol-${mode}@example.com`;
    const context = await newContext();
    const page = await open(context);
    await page.waitForView('signed-out');
    await page.signUp(email, 'short');
    await page.page.waitForSelector('#auth-error:not([hidden])');
    expect(await page.text('#auth-error')).toBe('Password must have at least 8 characters.');

    await page.signUp(email, 'carol-password');
    await page.waitForView('steps');
    expect(await page.text('#step-2fa-state')).toBe('2FA required');
    expect(await page.text('#step-email-state')).toBe('Not verified yet');
    await shots.take(page.page, 'both-steps-pending');

    await page.enterSecondFactorCode(api.outbox, email);
    await page.page.waitForSelector('#step-2fa-state.done');
    expect(await page.view()).toBe('steps');
    expect(await page.text('#step-email-state')).toBe('Not verified yet');
    await shots.take(page.page, 'email-pending');

    // The link is opened in another tab; this page is left alone and notices by itself (its SDK
    // refetches the st-ev claim while the email is unverified).
    const token = api.outbox.latest('email-verification-link', email)!.data.token;
    const linkTab = await context.newPage();
    const opened = await linkTab.goto(`${site.config.apiDomain}/verify-email?token=${token}`);
    expect(await opened!.json()).toMatchObject({ status: 'OK', email });
    await linkTab.close();
    await page.waitForView('app', 20_000);
    expect((await page.payload())['st-ev']).toMatchObject({ v: true });
    expect(await page.text('#profile-roles')).toBe('user');
    await shots.take(page.page, 'verified-no-admin-area');

    // No admin area for a plain user, and the API refuses its routes whatever the page does.
    expect(await page.page.locator('#admin-card').isHidden()).toBe(true);
    const refused = await page.page.evaluate(async (apiDomain) => {
      const response = await fetch(`${apiDomain}/admin/users`);
      return { status: response.status, body: await response.json() };
    }, site.config.apiDomain);
    expect(refused).toEqual({
      status: 403,
      body: { message: 'invalid claim', claimValidationErrors: [{ id: 'st-role', reason: expect.objectContaining({ message: 'wrong value' }) }] },
    });
    // The SDK saw the 403 as a claim failure (API_INVALID_CLAIM), the page logged it and stayed signed in.
    expect(await page.page.locator('#activity li[data-action="API_INVALID_CLAIM"]').count()).toBe(1);
    expect(await page.view()).toBe('app');
  });

  it('refreshes transparently after the access token expired', async () => {
    const shots = new Screenshots(mode, 'transparent-refresh');
    const context = await newContext();
    const refreshes = new RefreshCalls(context);
    const page = await signedIn(context, bob);
    const before = await page.payload();
    refreshes.clear();

    await page.waitForAccessTokenExpiry();
    await page.reloadArticles();
    expect(await page.articleTitles()).toEqual(['Welcome', 'Claims 101']);
    expect(await refreshes.settled(1)).toEqual([{ status: 200 }]);
    const after = await page.waitForNewerAccessToken(before.exp);
    expect(after.sessionHandle).toBe(before.sessionHandle);
    expect(await page.view()).toBe('app');
    await page.page.click('#activity-panel summary');
    expect(await page.page.locator('#activity li[data-action="REFRESH_SESSION"]').count()).toBeGreaterThanOrEqual(1);
    await shots.take(page.page, 'after-refresh');
  });

  it('two tabs refreshing at once: no false theft alarm, with or without the SDK cross-tab lock', async () => {
    const shots = new Screenshots(mode, 'two-tabs');
    // Two tabs of one browser: they share the tokens and the SDK's cross-tab refresh lock.
    const context = await newContext();
    const refreshes = new RefreshCalls(context);
    const first = await signedIn(context, bob);
    const second = await open(context);
    expect(await second.view()).toBe('app');
    const handle = (await first.payload()).sessionHandle;
    // (Opening the page signed out makes the SDK try one refresh: not part of this test.)
    refreshes.clear();

    await NewsroomPage.waitForAccessTokenExpiry(first, second);
    await Promise.all([first.reloadArticles(), second.reloadArticles()]);
    for (const page of [first, second]) {
      expect(await page.view()).toBe('app');
      expect(await page.articleTitles()).toEqual(['Welcome', 'Claims 101']);
    }
    const calls = await refreshes.settled(1);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.filter((call) => call.status !== 200)).toEqual([]);
    await shots.take(second.page, 'second-tab-after-refresh');

    // Two browser profiles holding the same tokens (no shared cross-tab lock): the second one
    // opens the page while the first reloads its articles, both with an expired access token,
    // so both refresh calls carry the same refresh token at about the same moment. Whichever
    // comes second is inside the grace window and gets the same outcome.
    const twin = await newContext(await context.storageState());
    const twinRefreshes = new RefreshCalls(twin);
    const twinTab = await twin.newPage();
    refreshes.clear();
    await NewsroomPage.waitForAccessTokenExpiry(first, second);
    const [, twinPage] = await Promise.all([first.reloadArticles(), NewsroomPage.open(twin, site.origin, twinTab)]);
    pages.push(twinPage);
    // Each profile refreshed, and no refresh was refused (a false theft alarm would answer 401).
    // (Under load a profile may refresh twice: its first refresh's cookies land after another request went out.)
    for (const calls of [await refreshes.settled(1), await twinRefreshes.settled(1)]) {
      expect(calls.length).toBeGreaterThanOrEqual(1);
      expect(calls.filter((call) => call.status !== 200)).toEqual([]);
    }
    for (const page of [first, twinPage]) {
      expect(await page.view()).toBe('app');
      expect((await page.payload()).sessionHandle).toBe(handle);
    }
    // Both keep working afterwards.
    await twinPage.reloadArticles();
    expect(await twinPage.articleTitles()).toEqual(['Welcome', 'Claims 101']);
    await shots.take(twinPage.page, 'twin-profile-after-refresh');
  });

  it('step-up: signing out another device with an aged sign-in is a 403 invalid claim the SDK reports; refresh does not renew it, the password does', async () => {
    const shots = new Screenshots(mode, 'step-up');
    // Alice: the first test signed her out, so these two are her only sessions.
    const phoneContext = await newContext();
    const phone = await signedIn(phoneContext, alice);
    const laptopContext = await newContext();
    const laptopRefreshes = new RefreshCalls(laptopContext);
    const laptop = await signedIn(laptopContext, alice);
    const signedInAt = (await laptop.payload())['st-auth'];
    expect(signedInAt).toEqual({ v: expect.any(Number), t: expect.any(Number) });
    const phoneRow = laptop.page.locator('#devices li[data-session]', { hasNot: laptop.page.locator('.badge') });
    await phoneRow.waitFor();
    expect(await laptop.page.locator('#devices li[data-session]').count()).toBe(2);

    // The sign-in ages past the window; the access token expires and refreshes on the way.
    await laptop.page.waitForTimeout((STEP_UP_MAX_AGE + 1.5) * 1000);
    laptopRefreshes.clear();
    const before = await laptop.payload();
    await laptop.reloadArticles();
    expect(await laptopRefreshes.settled(1)).toEqual([{ status: 200 }]);
    const refreshed = await laptop.waitForNewerAccessToken(before.exp);
    expect(refreshed['st-auth']).toEqual(signedInAt);

    // The sign-out is refused with the standard claim failure; the SDK reports it, the page asks for the password.
    // (An answer 401 would be the SDK's cue to refresh and retry: the answer that counts is the one after.)
    const refused = laptop.page.waitForResponse((response) => response.url().endsWith('/revoke') && response.status() !== 401);
    await phoneRow.locator('button').click();
    const refusal = await refused;
    expect(refusal.status()).toBe(403);
    expect(await refusal.json()).toEqual({
      message: 'invalid claim',
      claimValidationErrors: [{ id: 'st-auth', reason: { message: 'authentication is too old', ageInSeconds: expect.any(Number), maxAgeInSeconds: STEP_UP_MAX_AGE } }],
    });
    await laptop.page.waitForSelector('#reauth-form');
    expect(await laptop.page.locator('#activity li[data-action="API_INVALID_CLAIM"]').count()).toBe(1);
    expect(await laptop.view()).toBe('app');
    await shots.take(laptop.page, 'password-asked');

    // A wrong password is a plain error (no refresh loop); the right one renews st-auth in the same answer, and the retry works.
    laptopRefreshes.clear();
    await laptop.page.fill('#reauth-password', 'not-her-password');
    await laptop.page.click('#reauth-form button[type="submit"]');
    await laptop.page.waitForSelector('#reauth-error:not([hidden])');
    expect(await laptop.text('#reauth-error')).toBe('Wrong password.');
    // (One refresh may happen if the 3-second access token expired meanwhile; a 401 answer would loop.)
    expect((await laptopRefreshes.settled()).filter((call) => call.status === 200).length).toBeLessThanOrEqual(1);

    const revoked = laptop.page.waitForResponse((response) => response.url().endsWith('/revoke') && response.status() !== 401);
    await laptop.page.fill('#reauth-password', alice.password);
    await laptop.page.click('#reauth-form button[type="submit"]');
    expect((await revoked).status()).toBe(200);
    await laptop.page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#devices li[data-session]').length === 1);
    expect(await laptop.page.locator('#reauth-form').count()).toBe(0);
    // The page re-renders its payload panel after the SDK's payload event: wait for the renewed st-auth.
    await laptop.page.waitForFunction((before) => {
      const text = (globalThis as any).document.getElementById('raw-json')?.textContent;
      return Boolean(text) && JSON.parse(text).accessTokenPayload['st-auth']?.v > before;
    }, signedInAt.v);
    const renewed = await laptop.payload();
    expect(renewed['st-auth'].v).toBeGreaterThan(signedInAt.v);
    expect(renewed.sessionHandle).toBe(refreshed.sessionHandle);
    expect(await laptop.view()).toBe('app');
    await shots.take(laptop.page, 'other-device-signed-out');

    // The phone finds its session gone at its next refresh.
    await phone.waitForAccessTokenExpiry();
    await phone.reloadArticles();
    await phone.waitForView('signed-out');
    expect(await phone.text('#notice')).toBe('Your session has ended. Please sign in again.');
  });

  it('a refresh token replayed after the grace window: token theft detected, the session ends in both browsers, nothing crashes', async () => {
    const shots = new Screenshots(mode, 'token-theft');
    const victimContext = await newContext();
    const victimRefreshes = new RefreshCalls(victimContext);
    const victim = await signedIn(victimContext, bob);
    // The attacker copies the whole browser state: cookies (HttpOnly ones too) and storage.
    const stolen = await victimContext.storageState();

    await victim.waitForAccessTokenExpiry();
    victimRefreshes.clear();
    await victim.reloadArticles();
    expect(await victimRefreshes.settled(1)).toEqual([{ status: 200 }]);
    await victim.page.waitForTimeout((REFRESH_GRACE_PERIOD + 0.5) * 1000);

    const attackerContext = await newContext(stolen);
    const attackerRefreshes = new RefreshCalls(attackerContext);
    const attacker = await open(attackerContext);
    await attacker.waitForView('signed-out');
    expect(await attackerRefreshes.settled(1)).toEqual([{ status: 401, message: 'token theft detected' }]);
    expect(await attacker.text('#notice')).toBe('Your session has ended. Please sign in again.');
    await shots.take(attacker.page, 'attacker-signed-out');
    // The sample's @SessionListener() told the owner (the library's session.token-theft event).
    const alert = api.outbox.latest('security-alert', bob.email, { sessionHandle: (await victim.payload()).sessionHandle });
    expect(alert?.data.reuseKind).toBe('parent-after-grace');

    // The victim's access token stays valid until it expires (verification never reads the
    // database); its next refresh finds the session revoked.
    victimRefreshes.clear();
    await victim.waitForAccessTokenExpiry();
    await victim.reloadArticles();
    await victim.waitForView('signed-out');
    expect(await victimRefreshes.settled(1)).toEqual([{ status: 401, message: 'unauthorised' }]);
    expect(await victim.text('#notice')).toBe('Your session has ended. Please sign in again.');
    await shots.take(victim.page, 'victim-signed-out');

    // Both can sign in again.
    await victim.signIn(bob.email, bob.password);
    await victim.waitForView('steps');
  });
});
