import {
  BooleanClaim,
  PrimitiveArrayClaim,
  PrimitiveClaim,
  SessionClaim,
  refetchClaims,
  runClaimValidators,
  validateClaims,
} from '../../../src/claims';
import type { SessionClaimValidator, UserContext } from '../../../src/claims';
import type { JSONObject } from '../../../src/json';

/**
 * The validation algorithm: every validator that asks refetches first (later validators see earlier
 * refetches), then every validator runs with no short-circuit, failures in validator order; only the
 * changed top-level keys come back as the write-back update, and the input is never mutated.
 */

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
afterEach(() => jest.restoreAllMocks());

function deepCopy<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

describe('refetchClaims', () => {
  it('changes nothing when no validator needs a refetch', async () => {
    const fetchValue = jest.fn(() => ['admin']);
    const rolesClaim = new PrimitiveArrayClaim<string>({ key: 'roles', fetchValue });
    const payload = { sub: 'u', roles: { v: ['admin'], t: NOW - HOUR } };

    const res = await refetchClaims([rolesClaim.validators.includes('admin')], payload, 'u', 'public', {});

    expect(fetchValue).not.toHaveBeenCalled();
    expect(res.update).toEqual({});
    expect(res.payload).toEqual({ sub: 'u', roles: { v: ['admin'], t: NOW - HOUR } });
  });

  it('fetches a missing claim for the user and tenant, and returns it both in the payload and in the update', async () => {
    const fetchValue = jest.fn(async () => ['admin']);
    const rolesClaim = new PrimitiveArrayClaim<string>({ key: 'roles', fetchValue });
    const ctx: UserContext = { request: 'req' };
    const payload = { sub: 'u', tId: 'acme', custom: 'keep' };

    const res = await refetchClaims([rolesClaim.validators.includes('admin')], payload, 'u', 'acme', ctx);

    expect(fetchValue).toHaveBeenCalledTimes(1);
    expect(fetchValue).toHaveBeenCalledWith('u', 'acme', ctx);
    expect(res.payload).toEqual({ sub: 'u', tId: 'acme', custom: 'keep', roles: { v: ['admin'], t: NOW } });
    expect(res.update).toEqual({ roles: { v: ['admin'], t: NOW } });
  });

  it('never mutates the input payload', async () => {
    const claim = new PrimitiveClaim<string>({ key: 'plan', fetchValue: () => 'gold' });
    const payload: JSONObject = { sub: 'u', plan: { v: 'silver', t: NOW - 10_000 } };
    const before = deepCopy(payload);

    const res = await refetchClaims([claim.validators.hasValue('gold', 5)], payload, 'u', 'public', {});

    expect(payload).toEqual(before);
    expect(res.payload).not.toBe(payload);
    expect(res.payload).toEqual({ sub: 'u', plan: { v: 'gold', t: NOW } });
  });

  it('refetches a stale claim and leaves a fresh one alone', async () => {
    const staleFetch = jest.fn(() => true);
    const freshFetch = jest.fn(() => false);
    const stale = new BooleanClaim({ key: 'stale', fetchValue: staleFetch });
    const fresh = new BooleanClaim({ key: 'fresh', fetchValue: freshFetch });
    const payload = { stale: { v: false, t: NOW - 61_000 }, fresh: { v: true, t: NOW - 1_000 } };

    const res = await refetchClaims(
      [stale.validators.isTrue(60), fresh.validators.isTrue(60)],
      payload,
      'u',
      'public',
      {},
    );

    expect(staleFetch).toHaveBeenCalledTimes(1);
    expect(freshFetch).not.toHaveBeenCalled();
    expect(res.update).toEqual({ stale: { v: true, t: NOW } });
    expect(res.payload).toEqual({ stale: { v: true, t: NOW }, fresh: { v: true, t: NOW - 1_000 } });
  });

  it('keeps the old payload when the fetcher returns undefined', async () => {
    const claim = new PrimitiveClaim<string>({ key: 'plan', fetchValue: () => undefined });
    const payload = { plan: { v: 'silver', t: NOW - HOUR } };

    const res = await refetchClaims([claim.validators.hasValue('gold', 60)], payload, 'u', 'public', {});

    expect(res).toEqual({ payload: { plan: { v: 'silver', t: NOW - HOUR } }, update: {} });
  });

  it('lets later validators see values refetched for earlier ones (a claim is fetched once)', async () => {
    const fetchValue = jest.fn(() => ['a', 'b']);
    const claim = new PrimitiveArrayClaim<string>({ key: 'roles', fetchValue });

    const res = await refetchClaims(
      [claim.validators.includes('a'), claim.validators.includes('b')],
      {},
      'u',
      'public',
      {},
    );

    expect(fetchValue).toHaveBeenCalledTimes(1);
    expect(res.update).toEqual({ roles: { v: ['a', 'b'], t: NOW } });
  });

  it('asks shouldRefetch in validator order, passing the working payload and the user context', async () => {
    const seen: Array<[string, JSONObject, UserContext]> = [];
    const ctx: UserContext = { tag: 'ctx' };
    const a = new PrimitiveClaim<number>({ key: 'a', fetchValue: () => 1 });
    const b = new PrimitiveClaim<number>({ key: 'b', fetchValue: () => 2 });
    const spy = (id: string, claim: PrimitiveClaim<number>): SessionClaimValidator => ({
      id,
      claim,
      shouldRefetch: async (payload, userContext) => {
        seen.push([id, deepCopy(payload), userContext]);
        return true;
      },
      validate: () => ({ isValid: true }),
    });

    await refetchClaims([spy('first', a), spy('second', b)], { sub: 'u' }, 'u', 'public', ctx);

    expect(seen).toEqual([
      ['first', { sub: 'u' }, ctx],
      ['second', { sub: 'u', a: { v: 1, t: NOW } }, ctx],
    ]);
  });

  it('ignores validators without a claim or without shouldRefetch', async () => {
    const fetchValue = jest.fn(() => 'x');
    const claim = new PrimitiveClaim<string>({ key: 'k', fetchValue });
    const noClaim = jest.fn(() => true);
    const validators: SessionClaimValidator[] = [
      { id: 'payload-only', validate: () => ({ isValid: true }) },
      { id: 'refetch-without-claim', shouldRefetch: noClaim, validate: () => ({ isValid: true }) },
      { id: 'claim-without-refetch', claim, validate: () => ({ isValid: true }) },
    ];

    const res = await refetchClaims(validators, {}, 'u', 'public', {});

    expect(fetchValue).not.toHaveBeenCalled();
    expect(noClaim).not.toHaveBeenCalled();
    expect(res).toEqual({ payload: {}, update: {} });
  });

  it('protects the input even from a custom claim that edits its payload argument in place', async () => {
    class MutatingClaim extends SessionClaim<string> {
      fetchValue() {
        return 'new';
      }
      addToPayload_internal(payload: JSONObject, value: string): JSONObject {
        payload[this.key] = value;
        delete payload.drop;
        return payload;
      }
      removeFromPayloadByMerge_internal(payload: JSONObject): JSONObject {
        return { ...payload, [this.key]: null };
      }
      removeFromPayload(payload: JSONObject): JSONObject {
        return payload;
      }
      getValueFromPayload(payload: JSONObject): string | undefined {
        return payload[this.key] as string | undefined;
      }
    }
    const claim = new MutatingClaim('m');
    const payload: JSONObject = { sub: 'u', drop: 1, m: 'old' };

    const res = await refetchClaims(
      [{ id: 'm', claim, shouldRefetch: () => true, validate: () => ({ isValid: true }) }],
      payload,
      'u',
      'public',
      {},
    );

    expect(payload).toEqual({ sub: 'u', drop: 1, m: 'old' });
    expect(res.payload).toEqual({ sub: 'u', m: 'new' });
    // The removed key becomes null so that merging the update deletes it too.
    expect(res.update).toEqual({ m: 'new', drop: null });
  });

  it('propagates a fetcher failure', async () => {
    const claim = new PrimitiveClaim<string>({
      key: 'k',
      fetchValue: async () => {
        throw new Error('db down');
      },
    });
    await expect(refetchClaims([claim.validators.hasValue('x')], {}, 'u', 'public', {})).rejects.toThrow('db down');
  });
});

describe('runClaimValidators', () => {
  it('returns no errors when every validator passes', async () => {
    const claim = new BooleanClaim({ key: 'ev', fetchValue: () => true });
    await expect(runClaimValidators([claim.validators.isTrue()], { ev: { v: true, t: NOW } }, {})).resolves.toEqual(
      [],
    );
  });

  it('runs every validator without short-circuiting and reports failures in validator order', async () => {
    const calls: string[] = [];
    const make = (id: string, ok: boolean): SessionClaimValidator => ({
      id,
      validate: () => {
        calls.push(id);
        return ok ? { isValid: true } : { isValid: false, reason: `${id} failed` };
      },
    });

    const errors = await runClaimValidators(
      [make('one', false), make('two', true), make('three', false), make('four', false)],
      {},
      {},
    );

    expect(calls).toEqual(['one', 'two', 'three', 'four']);
    expect(errors).toEqual([
      { id: 'one', reason: 'one failed' },
      { id: 'three', reason: 'three failed' },
      { id: 'four', reason: 'four failed' },
    ]);
  });

  it('omits the reason key when a validator fails without one', async () => {
    const errors = await runClaimValidators([{ id: 'bare', validate: () => ({ isValid: false }) }], {}, {});
    expect(errors).toEqual([{ id: 'bare' }]);
    expect(Object.keys(errors[0])).toEqual(['id']);
  });

  it('passes custom JSON reasons through unchanged, including null and falsy values', async () => {
    const reasons = [{ code: 'NEEDS_MFA', factors: ['totp', 'otp-email'] }, null, 0, '', false, ['x']];
    const validators: SessionClaimValidator[] = reasons.map((reason, i) => ({
      id: `v${i}`,
      validate: async () => ({ isValid: false, reason }),
    }));

    const errors = await runClaimValidators(validators, {}, {});

    expect(errors).toEqual(reasons.map((reason, i) => ({ id: `v${i}`, reason })));
  });

  it('gives each validator the payload and the user context', async () => {
    const validate = jest.fn(() => ({ isValid: true as const }));
    const payload = { sub: 'u', x: 1 };
    const ctx: UserContext = { a: 1 };
    await runClaimValidators([{ id: 'spy', validate }], payload, ctx);
    expect(validate).toHaveBeenCalledWith(payload, ctx);
  });

  it('reports built-in reason shapes with the validator id', async () => {
    const roles = new PrimitiveArrayClaim<string>({ key: 'st-role', fetchValue: () => [] });
    const errors = await runClaimValidators(
      [roles.validators.includes('admin'), roles.validators.excludes('banned', undefined, 'not-banned')],
      { 'st-role': { v: ['banned'], t: NOW } },
      {},
    );
    expect(errors).toEqual([
      { id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'admin', actualValue: ['banned'] } },
      {
        id: 'not-banned',
        reason: { message: 'wrong value', expectedToNotInclude: 'banned', actualValue: ['banned'] },
      },
    ]);
  });
});

describe('validateClaims', () => {
  it('refetches everything first, then validates the refreshed payload', async () => {
    const log: string[] = [];
    const claim = new PrimitiveClaim<string>({
      key: 'plan',
      fetchValue: () => {
        log.push('fetch plan');
        return 'gold';
      },
    });
    const hasGold = claim.validators.hasValue('gold');
    const logged = (id: string, v: SessionClaimValidator): SessionClaimValidator => ({
      ...v,
      id,
      shouldRefetch: (p, c) => {
        log.push(`shouldRefetch ${id}`);
        return v.shouldRefetch!(p, c);
      },
      validate: (p, c) => {
        log.push(`validate ${id}`);
        return v.validate(p, c);
      },
    });

    const res = await validateClaims([logged('a', hasGold), logged('b', hasGold)], { sub: 'u' }, 'u', 'public', {});

    expect(log).toEqual(['shouldRefetch a', 'fetch plan', 'shouldRefetch b', 'validate a', 'validate b']);
    expect(res).toEqual({
      invalidClaims: [],
      payload: { sub: 'u', plan: { v: 'gold', t: NOW } },
      update: { plan: { v: 'gold', t: NOW } },
    });
  });

  it('returns the update even when validation fails, alongside every failure', async () => {
    const ev = new BooleanClaim({ key: 'st-ev', fetchValue: () => false });
    const roles = new PrimitiveArrayClaim<string>({ key: 'st-role', fetchValue: () => ['user'] });
    const payload = { sub: 'u' };

    const res = await validateClaims(
      [
        ev.validators.isTrue(),
        { id: 'custom', validate: () => ({ isValid: false }) },
        roles.validators.includes('admin'),
      ],
      payload,
      'u',
      'public',
      {},
    );

    expect(res.invalidClaims).toEqual([
      { id: 'st-ev', reason: { message: 'wrong value', expectedValue: true, actualValue: false } },
      { id: 'custom' },
      { id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'admin', actualValue: ['user'] } },
    ]);
    expect(res.update).toEqual({ 'st-ev': { v: false, t: NOW }, 'st-role': { v: ['user'], t: NOW } });
    expect(payload).toEqual({ sub: 'u' });
  });

  it('reports "value does not exist" when a missing claim could not be fetched', async () => {
    const claim = new BooleanClaim({ key: '2fa', fetchValue: () => undefined });
    await expect(validateClaims([claim.validators.isTrue()], {}, 'u', 'public', {})).resolves.toEqual({
      invalidClaims: [
        { id: '2fa', reason: { message: 'value does not exist', expectedValue: true, actualValue: undefined } },
      ],
      payload: {},
      update: {},
    });
  });

  it('reports "expired" when a stale claim could not be refetched', async () => {
    const claim = new BooleanClaim({ key: '2fa', fetchValue: () => undefined });
    const res = await validateClaims(
      [claim.validators.isTrue(300)],
      { '2fa': { v: true, t: NOW - 600_000 } },
      'u',
      'public',
      {},
    );
    expect(res.invalidClaims).toEqual([
      { id: '2fa', reason: { message: 'expired', ageInSeconds: 600, maxAgeInSeconds: 300 } },
    ]);
    expect(res.update).toEqual({});
  });

  it('with maxAge 0 refetches a value written a moment ago and validates the new one', async () => {
    const claim = new PrimitiveClaim<string>({ key: 'plan', fetchValue: () => 'free' });
    const res = await validateClaims(
      [claim.validators.hasValue('gold', 0)],
      { plan: { v: 'gold', t: NOW - 1 } },
      'u',
      'public',
      {},
    );
    expect(res.invalidClaims).toEqual([
      { id: 'plan', reason: { message: 'wrong value', expectedValue: 'gold', actualValue: 'free' } },
    ]);
    expect(res.update).toEqual({ plan: { v: 'free', t: NOW } });
  });

  it('handles an empty validator list', async () => {
    await expect(validateClaims([], { sub: 'u' }, 'u', 'public', {})).resolves.toEqual({
      invalidClaims: [],
      payload: { sub: 'u' },
      update: {},
    });
  });
});
