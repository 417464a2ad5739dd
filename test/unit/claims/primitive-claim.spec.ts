import { PrimitiveClaim, SessionClaim } from '../../../src/claims';
import type { SessionClaimValidator } from '../../../src/claims';
import type { JSONObject } from '../../../src/json';

/**
 * PrimitiveClaim behaves as supertokens-node's: `{ v, t }` storage that never mutates its input,
 * and `hasValue` refetching when missing or older than its max age, with SuperTokens' reasons.
 */

const NOW = 1_700_000_000_000;

function mockNow(ms: number): void {
  jest.spyOn(Date, 'now').mockReturnValue(ms);
}

/** Payload holding `value` under `key`, fetched `ageMs` before NOW. */
function stored(key: string, value: unknown, ageMs = 0): JSONObject {
  return { sub: 'user-1', [key]: { v: value as never, t: NOW - ageMs } };
}

function planClaim(defaultMaxAgeInSeconds?: number) {
  return new PrimitiveClaim<string>({ key: 'plan', fetchValue: () => 'gold', defaultMaxAgeInSeconds });
}

async function validate(v: SessionClaimValidator, payload: JSONObject) {
  return v.validate(payload, {});
}

async function shouldRefetch(v: SessionClaimValidator, payload: JSONObject) {
  return v.shouldRefetch!(payload, {});
}

afterEach(() => jest.restoreAllMocks());

describe('PrimitiveClaim payload handling', () => {
  it('is a SessionClaim keyed by config.key with the given fetcher and default max age', () => {
    const fetchValue = () => 'gold';
    const claim = new PrimitiveClaim<string>({ key: 'plan', fetchValue, defaultMaxAgeInSeconds: 300 });
    expect(claim).toBeInstanceOf(SessionClaim);
    expect(claim.key).toBe('plan');
    expect(claim.fetchValue).toBe(fetchValue);
    expect(claim.defaultMaxAgeInSeconds).toBe(300);
    expect(planClaim().defaultMaxAgeInSeconds).toBeUndefined();
  });

  it('addToPayload_internal stores { v, t: now } under the key and leaves the input untouched', () => {
    mockNow(NOW);
    const input = { sub: 'user-1', other: 1 };
    const out = planClaim().addToPayload_internal(input, 'gold');
    expect(out).toEqual({ sub: 'user-1', other: 1, plan: { v: 'gold', t: NOW } });
    expect(input).toEqual({ sub: 'user-1', other: 1 });
  });

  it('addToPayload_internal overwrites an older stored value', () => {
    mockNow(NOW);
    const out = planClaim().addToPayload_internal(stored('plan', 'silver', 60_000), 'gold');
    expect(out).toEqual({ sub: 'user-1', plan: { v: 'gold', t: NOW } });
  });

  it('removeFromPayloadByMerge_internal sets the key to null (so a merge deletes it)', () => {
    const input = stored('plan', 'gold');
    expect(planClaim().removeFromPayloadByMerge_internal(input)).toEqual({ sub: 'user-1', plan: null });
    expect(input).toEqual(stored('plan', 'gold'));
  });

  it('removeFromPayloadByMerge_internal adds the null even when the claim is absent', () => {
    expect(planClaim().removeFromPayloadByMerge_internal({ sub: 'u' })).toEqual({ sub: 'u', plan: null });
  });

  it('removeFromPayload deletes the key entirely and leaves the input untouched', () => {
    const input = stored('plan', 'gold');
    const out = planClaim().removeFromPayload(input);
    expect(out).toEqual({ sub: 'user-1' });
    expect(Object.prototype.hasOwnProperty.call(out, 'plan')).toBe(false);
    expect(input).toEqual(stored('plan', 'gold'));
  });

  it('getValueFromPayload reads v, and is undefined when the claim is absent, null or malformed', () => {
    const claim = planClaim();
    expect(claim.getValueFromPayload(stored('plan', 'gold'))).toBe('gold');
    expect(claim.getValueFromPayload({ sub: 'u' })).toBeUndefined();
    expect(claim.getValueFromPayload({ plan: null })).toBeUndefined();
    expect(claim.getValueFromPayload({ plan: 'gold' })).toBeUndefined();
    expect(claim.getValueFromPayload({ plan: ['gold'] })).toBeUndefined();
  });

  it('getValueFromPayload returns a stored null as null (a real value, not "missing")', () => {
    const claim = new PrimitiveClaim<string | null>({ key: 'plan', fetchValue: () => null });
    expect(claim.getValueFromPayload({ plan: { v: null, t: NOW } })).toBeNull();
  });

  it('getLastRefetchTime reads t, and is undefined when the claim or its t is absent', () => {
    const claim = planClaim();
    expect(claim.getLastRefetchTime(stored('plan', 'gold', 5_000))).toBe(NOW - 5_000);
    expect(claim.getLastRefetchTime({})).toBeUndefined();
    expect(claim.getLastRefetchTime({ plan: null })).toBeUndefined();
    expect(claim.getLastRefetchTime({ plan: { v: 'gold' } })).toBeUndefined();
  });

  it('build returns the { v, t } fragment for the fetched value', async () => {
    mockNow(NOW);
    const fetchValue = jest.fn(async () => 'gold');
    const claim = new PrimitiveClaim<string>({ key: 'plan', fetchValue });
    await expect(claim.build('user-1', 'public', { a: 1 })).resolves.toEqual({ plan: { v: 'gold', t: NOW } });
    expect(fetchValue).toHaveBeenCalledWith('user-1', 'public', { a: 1 });
  });

  it('build returns {} when the fetcher returns undefined', async () => {
    const claim = new PrimitiveClaim<string>({ key: 'plan', fetchValue: () => undefined });
    await expect(claim.build('user-1', 'public')).resolves.toEqual({});
  });
});

describe('PrimitiveClaim.validators.hasValue', () => {
  beforeEach(() => mockNow(NOW));

  it('uses the claim key as id and references the claim, unless an id is given', () => {
    const claim = planClaim();
    const v = claim.validators.hasValue('gold');
    expect(v.id).toBe('plan');
    expect(v.claim).toBe(claim);
    expect(claim.validators.hasValue('gold', undefined, 'plan-is-gold').id).toBe('plan-is-gold');
  });

  it('passes when the stored value equals the expected one', async () => {
    await expect(validate(planClaim().validators.hasValue('gold'), stored('plan', 'gold'))).resolves.toEqual({
      isValid: true,
    });
  });

  it('fails with "wrong value" and both values when the stored value differs', async () => {
    await expect(validate(planClaim().validators.hasValue('gold'), stored('plan', 'silver'))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedValue: 'gold', actualValue: 'silver' },
    });
  });

  it('compares strictly (the number 1 is not the string "1")', async () => {
    const claim = new PrimitiveClaim<string | number>({ key: 'lvl', fetchValue: () => 1 });
    await expect(validate(claim.validators.hasValue('1'), stored('lvl', 1))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedValue: '1', actualValue: 1 },
    });
  });

  it('fails with "value does not exist" when the claim is absent or was removed by merge', async () => {
    const expected = {
      isValid: false,
      reason: { message: 'value does not exist', expectedValue: 'gold', actualValue: undefined },
    };
    const v = planClaim().validators.hasValue('gold');
    await expect(validate(v, { sub: 'u' })).resolves.toEqual(expected);
    await expect(validate(v, { sub: 'u', plan: null })).resolves.toEqual(expected);
    // Once sent as JSON the undefined actualValue disappears, as with supertokens-node.
    const result = await validate(v, {});
    expect(JSON.parse(JSON.stringify(result))).toEqual({
      isValid: false,
      reason: { message: 'value does not exist', expectedValue: 'gold' },
    });
  });

  it('fails with "expired" (age and max age in seconds) when the value is older than maxAge', async () => {
    await expect(validate(planClaim().validators.hasValue('gold', 60), stored('plan', 'gold', 90_500))).resolves.toEqual({
      isValid: false,
      reason: { message: 'expired', ageInSeconds: 90.5, maxAgeInSeconds: 60 },
    });
  });

  it('reports "expired" before "wrong value" when the value is both stale and wrong', async () => {
    await expect(validate(planClaim().validators.hasValue('gold', 10), stored('plan', 'silver', 11_000))).resolves.toEqual({
      isValid: false,
      reason: { message: 'expired', ageInSeconds: 11, maxAgeInSeconds: 10 },
    });
  });

  it('accepts a value exactly maxAge old (expiry is strictly "older than")', async () => {
    const v = planClaim().validators.hasValue('gold', 60);
    await expect(validate(v, stored('plan', 'gold', 60_000))).resolves.toEqual({ isValid: true });
    await expect(shouldRefetch(v, stored('plan', 'gold', 60_000))).resolves.toBe(false);
    await expect(shouldRefetch(v, stored('plan', 'gold', 60_001))).resolves.toBe(true);
  });

  it('never expires a value without maxAge, and only refetches it when missing', async () => {
    const v = planClaim().validators.hasValue('gold');
    const ancient = stored('plan', 'gold', 10 * 365 * 24 * 3600 * 1000);
    await expect(validate(v, ancient)).resolves.toEqual({ isValid: true });
    await expect(shouldRefetch(v, ancient)).resolves.toBe(false);
    await expect(shouldRefetch(v, {})).resolves.toBe(true);
    await expect(shouldRefetch(v, { plan: null })).resolves.toBe(true);
  });

  it('with maxAge 0 refetches a value fetched even 1 ms ago, but accepts one fetched this instant', async () => {
    const v = planClaim().validators.hasValue('gold', 0);
    await expect(shouldRefetch(v, stored('plan', 'gold', 1))).resolves.toBe(true);
    await expect(shouldRefetch(v, stored('plan', 'gold', 0))).resolves.toBe(false);
    await expect(validate(v, stored('plan', 'gold', 0))).resolves.toEqual({ isValid: true });
    await expect(validate(v, stored('plan', 'gold', 2_000))).resolves.toEqual({
      isValid: false,
      reason: { message: 'expired', ageInSeconds: 2, maxAgeInSeconds: 0 },
    });
  });

  it('with maxAge Infinity never refetches or expires a present value', async () => {
    const v = planClaim().validators.hasValue('gold', Infinity);
    const old = stored('plan', 'gold', 1e12);
    await expect(shouldRefetch(v, old)).resolves.toBe(false);
    await expect(validate(v, old)).resolves.toEqual({ isValid: true });
    await expect(shouldRefetch(v, {})).resolves.toBe(true);
  });

  it('falls back to defaultMaxAgeInSeconds when maxAge is omitted or explicitly undefined', async () => {
    const claim = planClaim(30);
    const stale = stored('plan', 'gold', 31_000);
    const expired = { isValid: false, reason: { message: 'expired', ageInSeconds: 31, maxAgeInSeconds: 30 } };
    await expect(validate(claim.validators.hasValue('gold'), stale)).resolves.toEqual(expired);
    await expect(validate(claim.validators.hasValue('gold', undefined), stale)).resolves.toEqual(expired);
    await expect(shouldRefetch(claim.validators.hasValue('gold'), stale)).resolves.toBe(true);
  });

  it('lets an explicit maxAge override the default one', async () => {
    const v = planClaim(30).validators.hasValue('gold', 120);
    await expect(validate(v, stored('plan', 'gold', 31_000))).resolves.toEqual({ isValid: true });
    await expect(shouldRefetch(v, stored('plan', 'gold', 31_000))).resolves.toBe(false);
  });

  it('treats a present value without t as never stale', async () => {
    const v = planClaim().validators.hasValue('gold', 0);
    await expect(shouldRefetch(v, { plan: { v: 'gold' } })).resolves.toBe(false);
    await expect(validate(v, { plan: { v: 'gold' } })).resolves.toEqual({ isValid: true });
  });

  it('checks a null value like any other primitive', async () => {
    const claim = new PrimitiveClaim<string | null>({ key: 'org', fetchValue: () => null });
    await expect(validate(claim.validators.hasValue(null), stored('org', null))).resolves.toEqual({ isValid: true });
    await expect(validate(claim.validators.hasValue('acme'), stored('org', null))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedValue: 'acme', actualValue: null },
    });
  });
});
