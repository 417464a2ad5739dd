import { BooleanClaim, PrimitiveClaim } from '../../../src/claims';
import type { JSONObject } from '../../../src/json';

/**
 * A BooleanClaim is a PrimitiveClaim<boolean>: `isTrue` / `isFalse` are `hasValue(true|false)`,
 * with the same reasons, max-age rules and ids, and follow a subclass that replaces `hasValue`.
 */

const NOW = 1_700_000_000_000;

function twoFa(value: boolean | undefined, ageMs = 0): JSONObject {
  return value === undefined ? {} : { '2fa': { v: value, t: NOW - ageMs } };
}

function claim(defaultMaxAgeInSeconds?: number) {
  return new BooleanClaim({ key: '2fa', fetchValue: () => false, defaultMaxAgeInSeconds });
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
afterEach(() => jest.restoreAllMocks());

describe('BooleanClaim', () => {
  it('is a PrimitiveClaim<boolean> storing { v, t }', async () => {
    const c = claim();
    expect(c).toBeInstanceOf(PrimitiveClaim);
    await expect(c.build('u', 'public')).resolves.toEqual({ '2fa': { v: false, t: NOW } });
  });

  it('isTrue passes on true and fails with "wrong value" on false', async () => {
    const v = claim().validators.isTrue();
    expect(v.id).toBe('2fa');
    await expect(v.validate(twoFa(true), {})).resolves.toEqual({ isValid: true });
    await expect(v.validate(twoFa(false), {})).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedValue: true, actualValue: false },
    });
  });

  it('isFalse passes on false and fails with "wrong value" on true', async () => {
    const v = claim().validators.isFalse();
    await expect(v.validate(twoFa(false), {})).resolves.toEqual({ isValid: true });
    await expect(v.validate(twoFa(true), {})).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedValue: false, actualValue: true },
    });
  });

  it('isTrue / isFalse fail with "value does not exist" when the claim is absent', async () => {
    await expect(claim().validators.isTrue().validate(twoFa(undefined), {})).resolves.toEqual({
      isValid: false,
      reason: { message: 'value does not exist', expectedValue: true, actualValue: undefined },
    });
    await expect(claim().validators.isFalse().validate(twoFa(undefined), {})).resolves.toEqual({
      isValid: false,
      reason: { message: 'value does not exist', expectedValue: false, actualValue: undefined },
    });
  });

  it('isTrue / isFalse pass maxAge and id through to hasValue', async () => {
    const c = claim();
    const t = c.validators.isTrue(10, 'fresh-2fa');
    const f = c.validators.isFalse(10, 'no-2fa');
    expect([t.id, f.id]).toEqual(['fresh-2fa', 'no-2fa']);
    expect(t.claim).toBe(c);
    await expect(t.validate(twoFa(true, 11_000), {})).resolves.toEqual({
      isValid: false,
      reason: { message: 'expired', ageInSeconds: 11, maxAgeInSeconds: 10 },
    });
    await expect(f.validate(twoFa(false, 11_000), {})).resolves.toEqual({
      isValid: false,
      reason: { message: 'expired', ageInSeconds: 11, maxAgeInSeconds: 10 },
    });
    expect(await t.shouldRefetch!(twoFa(true, 11_000), {})).toBe(true);
    expect(await t.shouldRefetch!(twoFa(true, 9_000), {})).toBe(false);
  });

  it('isTrue without maxAge uses the claim default max age', async () => {
    await expect(claim(60).validators.isTrue().validate(twoFa(true, 61_000), {})).resolves.toEqual({
      isValid: false,
      reason: { message: 'expired', ageInSeconds: 61, maxAgeInSeconds: 60 },
    });
  });

  it('isTrue with maxAge 0 refetches on every check', async () => {
    expect(await claim().validators.isTrue(0).shouldRefetch!(twoFa(true, 1), {})).toBe(true);
  });

  it('keeps the inherited hasValue validator', async () => {
    await expect(claim().validators.hasValue(true).validate(twoFa(false), {})).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedValue: true, actualValue: false },
    });
  });

  it('each instance builds validators bound to itself', () => {
    const a = new BooleanClaim({ key: 'a', fetchValue: () => true });
    const b = new BooleanClaim({ key: 'b', fetchValue: () => true });
    expect(a.validators.isTrue().claim).toBe(a);
    expect(b.validators.isFalse().id).toBe('b');
  });
});
