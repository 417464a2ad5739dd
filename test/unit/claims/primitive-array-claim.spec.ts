import { PrimitiveArrayClaim } from '../../../src/claims';
import type { SessionClaimValidator } from '../../../src/claims';
import type { JSONObject } from '../../../src/json';

/**
 * PrimitiveArrayClaim behaves as supertokens-node's: `{ v, t }` storage, and each validator
 * (`includes`, `excludes`, `includesAll`, `excludesAll`, `includesAny`) refetches, expires and
 * reports reasons with the same shapes.
 */

const NOW = 1_700_000_000_000;

function roles(value: string[] | undefined, ageMs = 0): JSONObject {
  return value === undefined ? { sub: 'u' } : { sub: 'u', roles: { v: value, t: NOW - ageMs } };
}

function roleClaim(defaultMaxAgeInSeconds?: number) {
  return new PrimitiveArrayClaim<string>({ key: 'roles', fetchValue: () => ['user'], defaultMaxAgeInSeconds });
}

function check(v: SessionClaimValidator, payload: JSONObject) {
  return v.validate(payload, {});
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
afterEach(() => jest.restoreAllMocks());

describe('PrimitiveArrayClaim payload handling', () => {
  it('stores the array as { v, t } and reads it back', () => {
    const claim = roleClaim();
    const payload = claim.addToPayload_internal({ sub: 'u' }, ['admin', 'user']);
    expect(payload).toEqual({ sub: 'u', roles: { v: ['admin', 'user'], t: NOW } });
    expect(claim.getValueFromPayload(payload)).toEqual(['admin', 'user']);
    expect(claim.getLastRefetchTime(payload)).toBe(NOW);
  });

  it('removes the claim by merge (null) or entirely', () => {
    const claim = roleClaim();
    expect(claim.removeFromPayloadByMerge_internal(roles(['a']))).toEqual({ sub: 'u', roles: null });
    expect(claim.removeFromPayload(roles(['a']))).toEqual({ sub: 'u' });
    expect(claim.getValueFromPayload(roles(undefined))).toBeUndefined();
    expect(claim.getLastRefetchTime(roles(undefined))).toBeUndefined();
  });

  it('build returns the fragment, or {} when the fetcher has nothing', async () => {
    await expect(roleClaim().build('u', 'public')).resolves.toEqual({ roles: { v: ['user'], t: NOW } });
    const none = new PrimitiveArrayClaim<string>({ key: 'roles', fetchValue: async () => undefined });
    await expect(none.build('u', 'public')).resolves.toEqual({});
  });

  it('stores an empty array as a real (present) value', async () => {
    const v = roleClaim().validators.excludes('admin');
    await expect(v.shouldRefetch!(roles([]), {})).toBe(false);
    await expect(check(v, roles([]))).resolves.toEqual({ isValid: true });
  });
});

describe('PrimitiveArrayClaim.validators.includes', () => {
  it('passes when the array contains the value', async () => {
    await expect(check(roleClaim().validators.includes('admin'), roles(['user', 'admin']))).resolves.toEqual({
      isValid: true,
    });
  });

  it('fails with expectedToInclude when the array lacks the value', async () => {
    await expect(check(roleClaim().validators.includes('admin'), roles(['user']))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedToInclude: 'admin', actualValue: ['user'] },
    });
  });

  it('fails with "value does not exist" when the claim is absent', async () => {
    await expect(check(roleClaim().validators.includes('admin'), roles(undefined))).resolves.toEqual({
      isValid: false,
      reason: { message: 'value does not exist', expectedToInclude: 'admin', actualValue: undefined },
    });
  });

  it('uses the key as id by default and the given id otherwise', () => {
    const claim = roleClaim();
    expect(claim.validators.includes('admin').id).toBe('roles');
    expect(claim.validators.includes('admin', undefined, 'is-admin').id).toBe('is-admin');
    expect(claim.validators.includes('admin').claim).toBe(claim);
  });
});

describe('PrimitiveArrayClaim.validators.excludes', () => {
  it('passes when the array does not contain the value', async () => {
    await expect(check(roleClaim().validators.excludes('banned'), roles(['user']))).resolves.toEqual({ isValid: true });
  });

  it('fails with expectedToNotInclude when the array contains the value', async () => {
    await expect(check(roleClaim().validators.excludes('banned'), roles(['user', 'banned']))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedToNotInclude: 'banned', actualValue: ['user', 'banned'] },
    });
  });

  it('fails with "value does not exist" when the claim is absent (absence is not exclusion)', async () => {
    await expect(check(roleClaim().validators.excludes('banned'), roles(undefined))).resolves.toEqual({
      isValid: false,
      reason: { message: 'value does not exist', expectedToNotInclude: 'banned', actualValue: undefined },
    });
  });
});

describe('PrimitiveArrayClaim.validators.includesAll', () => {
  it('passes when every expected item is present', async () => {
    await expect(
      check(roleClaim().validators.includesAll(['a', 'b']), roles(['b', 'c', 'a'])),
    ).resolves.toEqual({ isValid: true });
  });

  it('fails with the whole expected list when one item is missing', async () => {
    await expect(check(roleClaim().validators.includesAll(['a', 'b']), roles(['a']))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedToInclude: ['a', 'b'], actualValue: ['a'] },
    });
  });

  it('passes for an empty list whatever the array holds, including []', async () => {
    const v = roleClaim().validators.includesAll([]);
    await expect(check(v, roles(['x']))).resolves.toEqual({ isValid: true });
    await expect(check(v, roles([]))).resolves.toEqual({ isValid: true });
  });

  it('still fails an empty list with "value does not exist" when the claim is absent', async () => {
    await expect(check(roleClaim().validators.includesAll([]), roles(undefined))).resolves.toEqual({
      isValid: false,
      reason: { message: 'value does not exist', expectedToInclude: [], actualValue: undefined },
    });
  });
});

describe('PrimitiveArrayClaim.validators.excludesAll', () => {
  it('passes when none of the items is present', async () => {
    await expect(check(roleClaim().validators.excludesAll(['x', 'y']), roles(['a']))).resolves.toEqual({
      isValid: true,
    });
  });

  it('fails with expectedToNotInclude and the whole list when any item is present', async () => {
    await expect(check(roleClaim().validators.excludesAll(['x', 'y']), roles(['a', 'y']))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedToNotInclude: ['x', 'y'], actualValue: ['a', 'y'] },
    });
  });

  it('passes for an empty list whatever the array holds', async () => {
    await expect(check(roleClaim().validators.excludesAll([]), roles(['a']))).resolves.toEqual({ isValid: true });
  });

  it('fails with "value does not exist" when the claim is absent', async () => {
    await expect(check(roleClaim().validators.excludesAll(['x']), roles(undefined))).resolves.toEqual({
      isValid: false,
      reason: { message: 'value does not exist', expectedToNotInclude: ['x'], actualValue: undefined },
    });
  });
});

describe('PrimitiveArrayClaim.validators.includesAny', () => {
  it('passes when at least one item is present', async () => {
    await expect(check(roleClaim().validators.includesAny(['x', 'b']), roles(['a', 'b']))).resolves.toEqual({
      isValid: true,
    });
  });

  it('fails with expectedToIncludeAtLeastOneOf when none is present', async () => {
    await expect(check(roleClaim().validators.includesAny(['x', 'y']), roles(['a']))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedToIncludeAtLeastOneOf: ['x', 'y'], actualValue: ['a'] },
    });
  });

  it('never passes for an empty list', async () => {
    await expect(check(roleClaim().validators.includesAny([]), roles(['a']))).resolves.toEqual({
      isValid: false,
      reason: { message: 'wrong value', expectedToIncludeAtLeastOneOf: [], actualValue: ['a'] },
    });
  });

  it('reports a missing claim with expectedToNotInclude, exactly like supertokens-node', async () => {
    await expect(check(roleClaim().validators.includesAny(['x']), roles(undefined))).resolves.toEqual({
      isValid: false,
      reason: { message: 'value does not exist', expectedToNotInclude: ['x'], actualValue: undefined },
    });
  });
});

describe('PrimitiveArrayClaim validators and max age', () => {
  const factories: Array<[string, (c: PrimitiveArrayClaim<string>, maxAge?: number) => SessionClaimValidator]> = [
    ['includes', (c, m) => c.validators.includes('a', m)],
    ['excludes', (c, m) => c.validators.excludes('z', m)],
    ['includesAll', (c, m) => c.validators.includesAll(['a'], m)],
    ['excludesAll', (c, m) => c.validators.excludesAll(['z'], m)],
    ['includesAny', (c, m) => c.validators.includesAny(['a'], m)],
  ];

  it.each(factories)('%s fails with "expired" when the array is older than maxAge', async (_name, make) => {
    await expect(check(make(roleClaim(), 300), roles(['a'], 301_000))).resolves.toEqual({
      isValid: false,
      reason: { message: 'expired', ageInSeconds: 301, maxAgeInSeconds: 300 },
    });
  });

  it.each(factories)('%s refetches when missing or stale, not when fresh', async (_name, make) => {
    const v = make(roleClaim(), 300);
    expect(await v.shouldRefetch!(roles(undefined), {})).toBe(true);
    expect(await v.shouldRefetch!({ roles: null }, {})).toBe(true);
    expect(await v.shouldRefetch!(roles(['a'], 301_000), {})).toBe(true);
    expect(await v.shouldRefetch!(roles(['a'], 299_000), {})).toBe(false);
    await expect(check(v, roles(['a'], 299_000))).resolves.toEqual({ isValid: true });
  });

  it.each(factories)('%s uses defaultMaxAgeInSeconds when no maxAge is given', async (_name, make) => {
    const v = make(roleClaim(5));
    expect(await v.shouldRefetch!(roles(['a'], 6_000), {})).toBe(true);
    await expect(check(v, roles(['a'], 6_000))).resolves.toEqual({
      isValid: false,
      reason: { message: 'expired', ageInSeconds: 6, maxAgeInSeconds: 5 },
    });
  });

  it.each(factories)('%s without any max age only refetches a missing value', async (_name, make) => {
    const v = make(roleClaim());
    expect(await v.shouldRefetch!(roles(['a'], 1e11), {})).toBe(false);
    await expect(check(v, roles(['a'], 1e11))).resolves.toEqual({ isValid: true });
  });

  it.each(factories)('%s with maxAge 0 refetches anything not fetched this very millisecond', async (_name, make) => {
    const v = make(roleClaim(), 0);
    expect(await v.shouldRefetch!(roles(['a'], 1), {})).toBe(true);
    expect(await v.shouldRefetch!(roles(['a'], 0), {})).toBe(false);
  });

  it.each(factories)('%s with maxAge Infinity never refetches a present value', async (_name, make) => {
    const v = make(roleClaim(), Infinity);
    expect(await v.shouldRefetch!(roles(['a'], 1e12), {})).toBe(false);
    await expect(check(v, roles(['a'], 1e12))).resolves.toEqual({ isValid: true });
  });
});
