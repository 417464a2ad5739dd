import type { INestApplication } from '@nestjs/common';
import { type SessionClaimValidator, type SessionInformation, SessionService, UserRoleClaim, UserRolesService } from '../../src';
import { BetaClaim, claimsApp, ClaimSources, PlanClaim } from '../fixtures/claims.app';
import { expectNoNewAccessToken, SessionClient } from '../support/session-client';
import { installClock } from '../support/clock';
import { createTestApp, PLATFORMS } from '../support/platforms';

/**
 * Claims change offline, by session handle (jobs, admin APIs), through `SessionService`'s
 * offline claim functions. They change the session in the database; the user's token shows the change at
 * the next refresh (`POST /auth/session/refresh`).
 */

describe.each(PLATFORMS)('offline claim functions by session handle (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;
  let sources: ClaimSources;
  let roles: UserRolesService;

  beforeAll(async () => {
    app = await createTestApp(platform, claimsApp());
    sessions = app.get(SessionService);
    sources = app.get(ClaimSources);
    roles = app.get(UserRolesService);
    await roles.createNewRoleOrAddPermissions('admin');
  });
  afterAll(() => app.close());

  async function signIn(userId: string, tenantId = 'public'): Promise<SessionClient> {
    const client = new SessionClient(app);
    await client.login({ userId, tenantId });
    sources.fetches.length = 0;
    return client;
  }

  async function storedPayload(handle: string) {
    return (await sessions.getSessionInformation(handle))!.customClaimsInAccessTokenPayload;
  }

  describe('fetchAndSetClaim', () => {
    it('fetches for the session\'s user and tenant and stores the value; the user sees it after the next refresh', async () => {
      sources.plans.set('off-fetch', 'pro');
      const user = await signIn('off-fetch', 'acme');

      await expect(sessions.fetchAndSetClaim(user.handle!, PlanClaim)).resolves.toBe(true);

      expect(sources.fetches).toEqual(['plan:off-fetch@acme']);
      const stored = await storedPayload(user.handle!);
      expect(stored.plan).toEqual({ v: 'pro', t: expect.any(Number) });
      await expect(sessions.getClaimValue(user.handle!, PlanClaim)).resolves.toEqual({ status: 'OK', value: 'pro' });
      // The token the user holds is unchanged until it is refreshed.
      expect((await user.get('/open')).body.payload.plan).toBeUndefined();

      expect((await user.refreshSession()).status).toBe(200);
      expect(user.payload.plan).toEqual(stored.plan);
      const protectedRes = await user.get('/protected');
      expect(protectedRes.status).toBe(200);
      expectNoNewAccessToken(protectedRes);
      expect(sources.fetches).toHaveLength(1);
    });

    it('answers true and changes nothing when the source has no value', async () => {
      const user = await signIn('off-fetch-nothing');
      const before = await storedPayload(user.handle!);

      await expect(sessions.fetchAndSetClaim(user.handle!, PlanClaim)).resolves.toBe(true);

      expect(sources.fetches).toEqual(['plan:off-fetch-nothing@public']);
      expect(await storedPayload(user.handle!)).toEqual(before);
    });
  });

  describe('setClaimValue, getClaimValue, removeClaim', () => {
    it('setClaimValue stores the given value without fetching; the refreshed token passes the route that needs it', async () => {
      const user = await signIn('off-set');
      expect((await user.get('/beta-only')).status).toBe(403);

      await expect(sessions.setClaimValue(user.handle!, BetaClaim, true)).resolves.toBe(true);

      await expect(sessions.getClaimValue(user.handle!, BetaClaim)).resolves.toEqual({ status: 'OK', value: true });
      expect(sources.fetches).toEqual(['beta:off-set@public']); // the 403 above, not the set
      expect((await user.refreshSession()).status).toBe(200);
      expect(user.payload.beta).toEqual({ v: true, t: expect.any(Number) });
      expect((await user.get('/beta-only')).status).toBe(200);
    });

    it('getClaimValue answers OK with an undefined value for a claim the session does not have', async () => {
      const user = await signIn('off-get-missing');

      const result = await sessions.getClaimValue(user.handle!, PlanClaim);

      expect(result).toStrictEqual({ status: 'OK', value: undefined });
    });

    it('removeClaim deletes the claim from the session; the next refresh drops it from the token', async () => {
      const user = await signIn('off-remove');
      await sessions.setClaimValue(user.handle!, PlanClaim, 'pro');
      await user.refreshSession();
      expect(user.payload.plan).toEqual({ v: 'pro', t: expect.any(Number) });

      await expect(sessions.removeClaim(user.handle!, PlanClaim)).resolves.toBe(true);

      expect(await storedPayload(user.handle!)).not.toHaveProperty('plan');
      await expect(sessions.getClaimValue(user.handle!, PlanClaim)).resolves.toStrictEqual({ status: 'OK', value: undefined });
      await user.refreshSession();
      expect(user.payload).not.toHaveProperty('plan');
      // Removing a claim the session does not have is not an error.
      await expect(sessions.removeClaim(user.handle!, PlanClaim)).resolves.toBe(true);
    });
  });

  describe('unknown, revoked and expired handles', () => {
    async function expectNoSession(handle: string) {
      await expect(sessions.fetchAndSetClaim(handle, PlanClaim)).resolves.toBe(false);
      await expect(sessions.setClaimValue(handle, PlanClaim, 'pro')).resolves.toBe(false);
      await expect(sessions.removeClaim(handle, PlanClaim)).resolves.toBe(false);
      await expect(sessions.getClaimValue(handle, PlanClaim)).resolves.toEqual({ status: 'SESSION_DOES_NOT_EXIST_ERROR' });
      await expect(sessions.validateClaimsForSessionHandle(handle)).resolves.toEqual({ status: 'SESSION_DOES_NOT_EXIST_ERROR' });
      expect(sources.fetches).toEqual([]);
    }

    it('answer false / SESSION_DOES_NOT_EXIST_ERROR for a handle that never existed', async () => {
      sources.fetches.length = 0;
      await expectNoSession('no-such-session-handle');
    });

    it('answer the same for a revoked session, and do not bring it back', async () => {
      sources.plans.set('off-revoked', 'pro');
      const user = await signIn('off-revoked');
      await expect(sessions.revokeSession(user.handle!)).resolves.toBe(true);

      await expectNoSession(user.handle!);

      expect(await sessions.getSessionInformation(user.handle!)).toBeUndefined();
      expect(await sessions.getAllSessionHandlesForUser('off-revoked')).toEqual([]);
    });

    it('answer the same for an expired session', async () => {
      sources.plans.set('off-expired', 'pro');
      const user = await signIn('off-expired');
      const clock = installClock();
      try {
        clock.advance(101 * 24 * 3600); // past the 100-day refresh-token validity
        await expectNoSession(user.handle!);
      } finally {
        clock.restore();
      }
    });
  });

  describe('validateClaimsForSessionHandle', () => {
    it('refetches what the validators ask for, writes it to the session, and the next refresh carries it', async () => {
      sources.plans.set('vh-pro', 'pro');
      const user = await signIn('vh-pro');
      await roles.addRoleToUser('public', 'vh-pro', 'admin');
      const seen: { ids: string[]; info: SessionInformation }[] = [];

      const result = await sessions.validateClaimsForSessionHandle(user.handle!, (globalValidators: SessionClaimValidator[], info: SessionInformation) => {
        seen.push({ ids: globalValidators.map((v) => v.id), info });
        return [...globalValidators, UserRoleClaim.validators.includes('admin', 0)];
      });

      expect(result).toEqual({ status: 'OK', invalidClaims: [] });
      expect(seen).toHaveLength(1);
      expect(seen[0].ids).toEqual(['plan']);
      expect(seen[0].info).toMatchObject({ sessionHandle: user.handle, userId: 'vh-pro', tenantId: 'public' });
      expect(sources.fetches).toEqual(['plan:vh-pro@public']);
      const stored = await storedPayload(user.handle!);
      expect(stored.plan).toEqual({ v: 'pro', t: expect.any(Number) });
      expect(stored['st-role']).toEqual({ v: ['admin'], t: expect.any(Number) });
      expect(user.payload.plan).toBeUndefined();

      const refreshed = await user.refreshSession();
      expect(refreshed.status).toBe(200);
      expect(user.payload.plan).toEqual(stored.plan);
      expect(user.payload['st-role']).toEqual(stored['st-role']);
      // The refreshed token already satisfies the global validator: no fetch, no new token.
      const res = await user.get('/protected');
      expect(res.status).toBe(200);
      expectNoNewAccessToken(res);
      expect(sources.fetches).toHaveLength(1);
    });

    it('lists every failure in validator order and still writes the refetched values', async () => {
      sources.plans.set('vh-free', 'free');
      const user = await signIn('vh-free');

      const result = await sessions.validateClaimsForSessionHandle(user.handle!, (globalValidators) => [
        ...globalValidators,
        BetaClaim.validators.isTrue(),
      ]);

      expect(result).toEqual({
        status: 'OK',
        invalidClaims: [
          { id: 'plan', reason: { message: 'wrong value', expectedValue: 'pro', actualValue: 'free' } },
          { id: 'beta', reason: { message: 'wrong value', expectedValue: true, actualValue: false } },
        ],
      });
      const stored = await storedPayload(user.handle!);
      expect(stored.plan).toEqual({ v: 'free', t: expect.any(Number) });
      expect(stored.beta).toEqual({ v: false, t: expect.any(Number) });
      await user.refreshSession();
      expect(user.payload.plan.v).toBe('free');
      expect(user.payload.beta.v).toBe(false);
    });

    it('uses the global validators without an override, and writes nothing when nothing could be fetched', async () => {
      const user = await signIn('vh-nothing');
      const before = await storedPayload(user.handle!);

      const result = await sessions.validateClaimsForSessionHandle(user.handle!);

      expect(result).toEqual({
        status: 'OK',
        invalidClaims: [{ id: 'plan', reason: { message: 'value does not exist', expectedValue: 'pro' } }],
      });
      expect(sources.fetches).toEqual(['plan:vh-nothing@public']);
      expect(await storedPayload(user.handle!)).toEqual(before);
    });
  });

  describe('validateClaimsInJWTPayload', () => {
    it('validates the payload it is given against the global validators, without fetching or writing', async () => {
      sources.plans.set('jwt-user', 'pro');
      const user = await signIn('jwt-user');
      const before = await storedPayload(user.handle!);

      const missing = await sessions.validateClaimsInJWTPayload('public', 'jwt-user', user.payload);
      const wrong = await sessions.validateClaimsInJWTPayload('public', 'jwt-user', { ...user.payload, plan: { v: 'free', t: Date.now() } });
      const right = await sessions.validateClaimsInJWTPayload('public', 'jwt-user', { ...user.payload, plan: { v: 'pro', t: Date.now() } });

      expect(missing).toEqual({ status: 'OK', invalidClaims: [{ id: 'plan', reason: { message: 'value does not exist', expectedValue: 'pro' } }] });
      expect(wrong).toEqual({
        status: 'OK',
        invalidClaims: [{ id: 'plan', reason: { message: 'wrong value', expectedValue: 'pro', actualValue: 'free' } }],
      });
      expect(right).toEqual({ status: 'OK', invalidClaims: [] });
      expect(sources.fetches).toEqual([]);
      expect(await storedPayload(user.handle!)).toEqual(before);
    });

    it('takes an override that receives the global validators and the user id', async () => {
      const seen: unknown[] = [];
      const override = (globalValidators: SessionClaimValidator[], userId: string) => {
        seen.push([globalValidators.map((v) => v.id), userId]);
        return [BetaClaim.validators.isTrue()];
      };

      const passing = await sessions.validateClaimsInJWTPayload('public', 'jwt-other', { beta: { v: true, t: Date.now() } }, override);
      const failing = await sessions.validateClaimsInJWTPayload('public', 'jwt-other', {}, override);

      expect(passing).toEqual({ status: 'OK', invalidClaims: [] });
      expect(failing).toEqual({
        status: 'OK',
        invalidClaims: [{ id: 'beta', reason: { message: 'value does not exist', expectedValue: true } }],
      });
      expect(seen).toEqual([
        [['plan'], 'jwt-other'],
        [['plan'], 'jwt-other'],
      ]);
      expect(sources.fetches).toEqual([]);
    });
  });
});
