import type { ModuleRef } from '@nestjs/core';
import { CLAIM_CHECK_TIME, withClaimCheckTime } from '../../../src/claims/check-time';
import {
  EmailVerificationClaim,
  PermissionClaim,
  PrimitiveClaim,
  SESSION_CONFIG,
  UserRoleClaim,
  UserRolesService,
} from '../../../src';
import { refetchClaims, runClaimValidators, validateClaims } from '../../../src/claims/validate-claims';
import type { JSONObject, SessionClaimValidator, UserContext } from '../../../src';

/**
 * Gaps left by the base-class specs: the built-in claims (`st-ev`, `st-role`, `st-perm`), the
 * email-verification refetch rules, and the single clock one claim check runs on.
 */

const NOW = 1_700_000_000_000;

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
afterEach(() => jest.restoreAllMocks());

/** Payload holding `value` under `key`, fetched `ageSeconds` before NOW. */
function stored(key: string, value: unknown, ageSeconds: number): JSONObject {
  return { sub: 'u', [key]: { v: value as never, t: NOW - ageSeconds * 1000 } };
}

/** A user context whose moduleRef answers `get(token)` from a map (what the module passes). */
function contextWith(providers: Map<unknown, unknown>): UserContext {
  const moduleRef = { get: (token: unknown) => providers.get(token) } as unknown as ModuleRef;
  return { moduleRef };
}

function shouldRefetch(v: SessionClaimValidator, payload: JSONObject): Promise<boolean> {
  return Promise.resolve(v.shouldRefetch!(payload, {}));
}

describe('EmailVerificationClaim', () => {
  it('is the boolean claim st-ev, validated by isVerified under the id st-ev', () => {
    expect(EmailVerificationClaim.key).toBe('st-ev');
    const v = EmailVerificationClaim.validators.isVerified();
    expect(v.id).toBe('st-ev');
    expect(v.claim).toBe(EmailVerificationClaim);
  });

  describe('isVerified() refetch rules (defaults: false re-checked after 10 s, any value after 300 s)', () => {
    const v = () => EmailVerificationClaim.validators.isVerified();

    it('refetches a missing value', async () => {
      await expect(shouldRefetch(v(), { sub: 'u' })).resolves.toBe(true);
    });

    it('re-checks false only once it is older than 10 s', async () => {
      await expect(shouldRefetch(v(), stored('st-ev', false, 9))).resolves.toBe(false);
      await expect(shouldRefetch(v(), stored('st-ev', false, 10))).resolves.toBe(false);
      await expect(shouldRefetch(v(), stored('st-ev', false, 10.001))).resolves.toBe(true);
    });

    it('does not re-check true until it is older than 300 s', async () => {
      await expect(shouldRefetch(v(), stored('st-ev', true, 11))).resolves.toBe(false);
      await expect(shouldRefetch(v(), stored('st-ev', true, 300))).resolves.toBe(false);
      await expect(shouldRefetch(v(), stored('st-ev', true, 301))).resolves.toBe(true);
    });

    it('takes custom intervals: maxAge bounds false values too', async () => {
      const custom = EmailVerificationClaim.validators.isVerified(60, 30);
      await expect(shouldRefetch(custom, stored('st-ev', false, 29))).resolves.toBe(false);
      await expect(shouldRefetch(custom, stored('st-ev', false, 31))).resolves.toBe(true);
      await expect(shouldRefetch(custom, stored('st-ev', true, 31))).resolves.toBe(true);
      const quick = EmailVerificationClaim.validators.isVerified(1);
      await expect(shouldRefetch(quick, stored('st-ev', false, 2))).resolves.toBe(true);
      await expect(shouldRefetch(quick, stored('st-ev', true, 2))).resolves.toBe(false);
    });
  });

  describe('isVerified() validation', () => {
    const v = () => EmailVerificationClaim.validators.isVerified();

    it('passes a fresh true', async () => {
      await expect(v().validate(stored('st-ev', true, 5), {})).resolves.toEqual({ isValid: true });
    });

    it('fails false with "wrong value", even while false is not yet re-checked', async () => {
      await expect(v().validate(stored('st-ev', false, 5), {})).resolves.toEqual({
        isValid: false,
        reason: { message: 'wrong value', expectedValue: true, actualValue: false },
      });
    });

    it('fails a missing value with "value does not exist" and a true older than maxAge with "expired"', async () => {
      await expect(v().validate({ sub: 'u' }, {})).resolves.toEqual({
        isValid: false,
        reason: { message: 'value does not exist', expectedValue: true, actualValue: undefined },
      });
      await expect(v().validate(stored('st-ev', true, 301), {})).resolves.toEqual({
        isValid: false,
        reason: { message: 'expired', ageInSeconds: 301, maxAgeInSeconds: 300 },
      });
    });
  });

  describe('fetchValue (the emailVerification option of the module)', () => {
    it('asks isEmailVerified(userId, tenantId, userContext) and stores a boolean', async () => {
      const calls: unknown[][] = [];
      const config = {
        emailVerification: {
          mode: 'REQUIRED',
          isEmailVerified: (userId: string, tenantId: string, ctx: UserContext) => {
            calls.push([userId, tenantId, ctx.moduleRef !== undefined]);
            return userId === 'verified' ? 1 : 0;
          },
        },
      };
      const ctx = contextWith(new Map([[SESSION_CONFIG, config]]));

      await expect(EmailVerificationClaim.build('verified', 'acme', ctx)).resolves.toEqual({ 'st-ev': { v: true, t: NOW } });
      await expect(EmailVerificationClaim.build('other', 'public', ctx)).resolves.toEqual({ 'st-ev': { v: false, t: NOW } });
      expect(calls).toEqual([
        ['verified', 'acme', true],
        ['other', 'public', true],
      ]);
    });

    it('explains what is missing when the module has no emailVerification option, or no moduleRef was passed', async () => {
      await expect(EmailVerificationClaim.build('u', 'public', contextWith(new Map([[SESSION_CONFIG, {}]])))).rejects.toThrow(
        /emailVerification option/,
      );
      await expect(EmailVerificationClaim.build('u', 'public', {})).rejects.toThrow(/claim "st-ev" needs the userContext/);
    });
  });
});

describe('UserRoleClaim and PermissionClaim', () => {
  function rolesContext(answer: { roles: string[]; permissions: string[] }) {
    const getRolesAndPermissionsForUser = jest.fn(async (_tenantId: string, _userId: string) => answer);
    const ctx = contextWith(new Map<unknown, unknown>([[UserRolesService, { getRolesAndPermissionsForUser }]]));
    return { ctx, getRolesAndPermissionsForUser };
  }

  it('are st-role and st-perm, refetched after 300 s by default', async () => {
    expect(UserRoleClaim.key).toBe('st-role');
    expect(PermissionClaim.key).toBe('st-perm');
    expect(UserRoleClaim.defaultMaxAgeInSeconds).toBe(300);
    expect(PermissionClaim.defaultMaxAgeInSeconds).toBe(300);
    const includesAdmin = UserRoleClaim.validators.includes('admin');
    await expect(shouldRefetch(includesAdmin, stored('st-role', ['admin'], 300))).resolves.toBe(false);
    await expect(shouldRefetch(includesAdmin, stored('st-role', ['admin'], 301))).resolves.toBe(true);
  });

  it('read the roles and permissions of the user in the given tenant from UserRolesService', async () => {
    const { ctx, getRolesAndPermissionsForUser } = rolesContext({ roles: ['admin'], permissions: ['edit', 'read'] });

    await expect(UserRoleClaim.build('alice', 'acme', ctx)).resolves.toEqual({ 'st-role': { v: ['admin'], t: NOW } });
    await expect(PermissionClaim.build('alice', 'acme', ctx)).resolves.toEqual({ 'st-perm': { v: ['edit', 'read'], t: NOW } });
    // Both claims in one user context share one query.
    expect(getRolesAndPermissionsForUser.mock.calls).toEqual([['acme', 'alice']]);
  });

  it('query again for another user context (a new request)', async () => {
    const first = rolesContext({ roles: [], permissions: [] });
    await UserRoleClaim.build('alice', 'acme', first.ctx);
    await UserRoleClaim.build('alice', 'acme', { moduleRef: first.ctx.moduleRef });
    expect(first.getRolesAndPermissionsForUser).toHaveBeenCalledTimes(2);
  });
});

describe('one claim check runs on one clock', () => {
  /** A claim whose source takes `ms` to answer (the mocked clock moves while it fetches). */
  function slowClaim(value: string, ms: number) {
    let now = NOW;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    return new PrimitiveClaim<string>({
      key: 'plan',
      fetchValue: () => {
        now += ms;
        return value;
      },
    });
  }

  it('validateClaims passes a value it just refetched for maxAge 0, however long the fetch took', async () => {
    const claim = slowClaim('gold', 25);
    const result = await validateClaims([claim.validators.hasValue('gold', 0)], stored('plan', 'gold', 1), 'u', 'public', {});

    expect(result.invalidClaims).toEqual([]);
    expect(result.update).toEqual({ plan: { v: 'gold', t: NOW + 25 } });
  });

  it('a validator run later without the pinned time would call the same value "expired" (why the time is pinned)', async () => {
    const claim = slowClaim('gold', 25);
    const v = claim.validators.hasValue('gold', 0);
    const { payload } = await refetchClaims([v], stored('plan', 'gold', 1), 'u', 'public', {});
    (Date.now as jest.Mock).mockReturnValue(NOW + 30);

    await expect(runClaimValidators([v], payload, {})).resolves.toEqual([
      { id: 'plan', reason: { message: 'expired', ageInSeconds: 0.005, maxAgeInSeconds: 0 } },
    ]);
  });

  it('judges staleness and expiry at the start of the check', async () => {
    const claim = slowClaim('silver', 0);
    // 60 s old at the start of the check: fresh for a 60 s max age, so not refetched and not expired.
    const result = await validateClaims([claim.validators.hasValue('gold', 60)], stored('plan', 'gold', 60), 'u', 'public', {});
    expect(result).toEqual({ payload: stored('plan', 'gold', 60), update: {}, invalidClaims: [] });
  });

  it('withClaimCheckTime pins the current time in a copy, and keeps a time already pinned', () => {
    const ctx: UserContext = { a: 1 };
    const pinned = withClaimCheckTime(ctx) as Record<symbol | string, unknown>;
    expect(pinned.a).toBe(1);
    expect(pinned[CLAIM_CHECK_TIME]).toBe(NOW);
    expect((ctx as Record<symbol, unknown>)[CLAIM_CHECK_TIME]).toBeUndefined();
    (Date.now as jest.Mock).mockReturnValue(NOW + 1000);
    expect((withClaimCheckTime(pinned as UserContext) as Record<symbol, unknown>)[CLAIM_CHECK_TIME]).toBe(NOW);
  });
});
