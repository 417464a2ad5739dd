import type { INestApplication } from '@nestjs/common';
import { type SessionClaimValidator, SessionService, UserRolesService } from '../../src';
import { claimsApp, ClaimSources, PlanClaim } from '../fixtures/claims.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { expectNewAccessToken, expectNoNewAccessToken, SessionClient, type TransferMode } from '../support/session-client';

/**
 * Claim validators decide over HTTP: global ones on every guarded route, per-route overrides
 * and `@RequireClaim` additions on top. The claims app makes
 * `PlanClaim.validators.hasValue('pro')` global; routes drop it (`overrideGlobalClaimValidators`),
 * add to it (`@RequireClaim` on the class and the method), or re-read roles on every request.
 */

const MODES: TransferMode[] = ['header', 'cookie'];

describe.each(PLATFORMS)('claim validators over HTTP (%s)', (platform) => {
  let app: INestApplication;
  let sources: ClaimSources;
  let roles: UserRolesService;
  let sessions: SessionService;

  beforeAll(async () => {
    app = await createTestApp(platform, claimsApp());
    sources = app.get(ClaimSources);
    roles = app.get(UserRolesService);
    sessions = app.get(SessionService);
    await roles.createNewRoleOrAddPermissions('admin');
    await roles.createNewRoleOrAddPermissions('exporter');
    await roles.createNewRoleOrAddPermissions('viewer');
  });
  afterAll(() => app.close());
  beforeEach(() => {
    sources.fetches.length = 0;
  });

  /** A signed-in user whose sources say `plan` / `beta` / roles before the session starts. */
  async function signIn(userId: string, setup: { plan?: string; beta?: boolean; roles?: string[] } = {}, mode: TransferMode = 'header') {
    if (setup.plan !== undefined) sources.plans.set(userId, setup.plan);
    if (setup.beta) sources.beta.add(userId);
    for (const role of setup.roles ?? []) await roles.addRoleToUser('public', userId, role);
    const client = new SessionClient(app, mode);
    await client.login({ userId });
    sources.fetches.length = 0;
    return client;
  }

  describe('a global validator', () => {
    it('answers a failing session with 403 and the documented body', async () => {
      const free = await signIn('global-free', { plan: 'free' });

      const res = await free.get('/protected');

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: 'plan', reason: { message: 'wrong value', expectedValue: 'pro', actualValue: 'free' } }],
      });
    });

    it('reports "value does not exist" when the claim could not be fetched, and sends no new token', async () => {
      const nobody = await signIn('global-nobody');

      const res = await nobody.get('/protected');

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: 'plan', reason: { message: 'value does not exist', expectedValue: 'pro' } }],
      });
      expect(sources.fetches).toEqual(['plan:global-nobody@public']);
      expectNoNewAccessToken(res);
    });

    it('lets a passing session through', async () => {
      const pro = await signIn('global-pro', { plan: 'pro' });

      const res = await pro.get('/protected');

      expect(res.status).toBe(200);
      expect(res.body.userId).toBe('global-pro');
    });

    it('is skipped by new AuthGuard({ overrideGlobalClaimValidators: () => [] }) and by @VerifySession with the same option', async () => {
      const free = await signIn('override-free', { plan: 'free' });

      const open = await free.get('/open');
      const verifyOpen = await free.get('/verify-open');

      expect(open.status).toBe(200);
      expect(open.body.userId).toBe('override-free');
      expect(verifyOpen.status).toBe(200);
      expect(verifyOpen.body).toEqual({ userId: 'override-free' });
      // Nothing was checked, so nothing was fetched and the token was left alone.
      expect(sources.fetches).toEqual([]);
      expectNoNewAccessToken(open);
      expectNoNewAccessToken(verifyOpen);
    });

    it('@RequireClaim adds to the overridden list: with the globals removed, only its own validator applies', async () => {
      const freeNotBeta = await signIn('override-not-beta', { plan: 'free' });
      const freeBeta = await signIn('override-beta', { plan: 'free', beta: true });

      const refused = await freeNotBeta.get('/beta-only');
      const allowed = await freeBeta.get('/beta-only');

      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: 'beta', reason: { message: 'wrong value', expectedValue: true, actualValue: false } }],
      });
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual({ userId: 'override-beta' });
    });

    it('receives { userId, tenantId } when given as a function of the defaults', async () => {
      const seen: unknown[] = [];
      const fnApp = await createTestApp(
        platform,
        claimsApp({
          globalClaimValidators: (defaults: SessionClaimValidator[], input: { userId: string; tenantId: string }) => {
            seen.push({ defaults: defaults.length, userId: input.userId, tenantId: input.tenantId });
            return input.tenantId === 'strict' ? [...defaults, PlanClaim.validators.hasValue('pro')] : defaults;
          },
        }),
      );
      try {
        fnApp.get(ClaimSources).plans.set('fn-user', 'free');
        const relaxed = new SessionClient(fnApp);
        await relaxed.login({ userId: 'fn-user', tenantId: 'relaxed' });
        const strict = new SessionClient(fnApp);
        await strict.login({ userId: 'fn-user', tenantId: 'strict' });

        expect((await relaxed.get('/protected')).status).toBe(200);
        const refused = await strict.get('/protected');

        expect(refused.status).toBe(403);
        expect(refused.body.claimValidationErrors).toEqual([
          { id: 'plan', reason: { message: 'wrong value', expectedValue: 'pro', actualValue: 'free' } },
        ]);
        expect(seen).toEqual([
          { defaults: 0, userId: 'fn-user', tenantId: 'relaxed' },
          { defaults: 0, userId: 'fn-user', tenantId: 'strict' },
        ]);
      } finally {
        await fnApp.close();
      }
    });
  });

  describe('@RequireClaim on the controller and on the method', () => {
    it('refuses a user who lacks the class requirement, naming only it', async () => {
      const notBeta = await signIn('rc-not-beta', { plan: 'pro', roles: ['exporter'] });

      const exported = await notBeta.get('/beta/export');
      const home = await notBeta.get('/beta/home');

      const betaFailure = { id: 'beta', reason: { message: 'wrong value', expectedValue: true, actualValue: false } };
      expect(exported.status).toBe(403);
      expect(exported.body).toEqual({ message: 'invalid claim', claimValidationErrors: [betaFailure] });
      expect(home.status).toBe(403);
      expect(home.body).toEqual({ message: 'invalid claim', claimValidationErrors: [betaFailure] });
    });

    it('refuses a user who lacks the method requirement, naming only it; the class-only route lets them in', async () => {
      const notExporter = await signIn('rc-not-exporter', { plan: 'pro', beta: true });

      const exported = await notExporter.get('/beta/export');
      const home = await notExporter.get('/beta/home');

      expect(exported.status).toBe(403);
      expect(exported.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'exporter', actualValue: [] } }],
      });
      expect(home.status).toBe(200);
      expect(home.body).toEqual({ userId: 'rc-not-exporter' });
    });

    it('lets a user who meets both requirements in', async () => {
      const both = await signIn('rc-both', { plan: 'pro', beta: true, roles: ['exporter'] });

      const res = await both.get('/beta/export');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ userId: 'rc-both', exported: true });
    });

    it('runs every validator without short-circuit and lists the failures in validator order: global, class, method', async () => {
      const none = await signIn('rc-none', { plan: 'free' });

      const res = await none.get('/beta/export');

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [
          { id: 'plan', reason: { message: 'wrong value', expectedValue: 'pro', actualValue: 'free' } },
          { id: 'beta', reason: { message: 'wrong value', expectedValue: true, actualValue: false } },
          { id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'exporter', actualValue: [] } },
        ],
      });
    });

    it('sends a custom validator reason as-is', async () => {
      const pro = await signIn('rc-custom', { plan: 'pro' });

      const refused = await pro.get('/tagged');
      const tagged = new SessionClient(app);
      await tagged.login({ userId: 'rc-custom', payload: { tag: 'blue' } });
      const allowed = await tagged.get('/tagged');

      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ message: 'invalid claim', claimValidationErrors: [{ id: 'has-tag', reason: { wanted: 'blue', got: null } }] });
      expect(allowed.status).toBe(200);
    });
  });

  describe.each(MODES)('refetching stale or missing claims (%s mode)', (mode) => {
    it('fetches a missing claim once, lets the request through, and sends a new token carrying { v, t }', async () => {
      const user = `fetch-once-${mode}`;
      const client = await signIn(user, { plan: 'pro' }, mode);
      const before = client.payload;
      expect(before.plan).toBeUndefined();
      const startedAt = Date.now();

      // Two validators read the plan on this route (the global one and the route's own).
      const res = await client.get('/pro-report');

      expect(res.status).toBe(200);
      expect(sources.fetches).toEqual([`plan:${user}@public`]);
      const payload = expectNewAccessToken(client, res);
      expect(payload.plan).toEqual({ v: 'pro', t: expect.any(Number) });
      expect(payload.plan.t).toBeGreaterThanOrEqual(startedAt);
      expect(payload.plan.t).toBeLessThanOrEqual(Date.now());
      // Same session, same expiry: only the payload changed.
      expect(payload.sessionHandle).toBe(before.sessionHandle);
      expect(payload.exp).toBe(before.exp);
      expect((await sessions.getSessionInformation(client.handle!))!.customClaimsInAccessTokenPayload.plan).toEqual(payload.plan);

      // The new token already has the claim: no fetch, no new token.
      const again = await client.get('/pro-report');
      expect(again.status).toBe(200);
      expect(sources.fetches).toHaveLength(1);
      expectNoNewAccessToken(again);
    });

    it('writes a refetched value back even when it still fails, and answers 403', async () => {
      const user = `refetch-fails-${mode}`;
      const client = await signIn(user, { plan: 'free' }, mode);

      const res = await client.get('/protected');

      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: 'plan', reason: { message: 'wrong value', expectedValue: 'pro', actualValue: 'free' } }],
      });
      const payload = expectNewAccessToken(client, res);
      expect(payload.plan).toEqual({ v: 'free', t: expect.any(Number) });
      expect((await sessions.getSessionInformation(client.handle!))!.customClaimsInAccessTokenPayload.plan).toEqual(payload.plan);

      // With the written-back value the next request fails without fetching again.
      const again = await client.get('/protected');
      expect(again.status).toBe(403);
      expect(sources.fetches).toEqual([`plan:${user}@public`]);
      expectNoNewAccessToken(again);
    });

    it('with maxAge 0 sees a role granted in the database on the very next request', async () => {
      const user = `live-admin-${mode}`;
      const client = await signIn(user, { plan: 'pro' }, mode);
      expect(client.payload['st-role']).toEqual({ v: [], t: expect.any(Number) });

      const refused = await client.get('/admin-live');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'admin', actualValue: [] } }],
      });

      await roles.addRoleToUser('public', user, 'admin');
      const allowed = await client.get('/admin-live');

      expect(allowed.status).toBe(200);
      expect(allowed.body.roles).toEqual({ v: ['admin'], t: expect.any(Number) });
      expect(expectNewAccessToken(client, allowed)['st-role']).toEqual(allowed.body.roles);
    });

    it('with maxAge 0 writes the refetched roles back in the 403 when they still do not satisfy the route', async () => {
      const user = `live-viewer-${mode}`;
      const client = await signIn(user, { plan: 'pro' }, mode);
      const signedInAt = client.payload['st-role'].t;
      await roles.addRoleToUser('public', user, 'viewer');

      const res = await client.get('/admin-live');

      expect(res.status).toBe(403);
      expect(res.body.claimValidationErrors).toEqual([
        { id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'admin', actualValue: ['viewer'] } },
      ]);
      const payload = expectNewAccessToken(client, res);
      expect(payload['st-role'].v).toEqual(['viewer']);
      expect(payload['st-role'].t).toBeGreaterThan(signedInAt);
    });
  });

  describe('the session routes', () => {
    it.each(MODES)('never check claims: refresh and sign-out work for a session failing the global validator (%s mode)', async (mode) => {
      const client = await signIn(`routes-free-${mode}`, { plan: 'free' }, mode);
      expect((await client.get('/protected')).status).toBe(403);

      const refreshed = await client.refreshSession();
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toEqual({});
      expect(client.newAccessTokenIn(refreshed)).toEqual(expect.any(String));
      // The refreshed token carries the stored payload (with the written-back plan), still failing.
      expect(client.payload.plan).toEqual({ v: 'free', t: expect.any(Number) });
      expect((await client.get('/protected')).status).toBe(403);

      const fetchesBefore = sources.fetches.length;
      const signedOut = await client.signOut();
      expect(signedOut.status).toBe(200);
      expect(signedOut.body).toEqual({ status: 'OK' });
      expect(sources.fetches).toHaveLength(fetchesBefore);
      expect(await sessions.getSessionInformation(client.handle!)).toBeUndefined();
    });
  });
});
