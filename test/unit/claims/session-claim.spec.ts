import { SessionClaim } from '../../../src/claims';
import type { UserContext } from '../../../src/claims';
import type { JSONObject } from '../../../src/json';

/**
 * The SessionClaim base works for hand-written claims: `build` fetches and adds the value, and an
 * `undefined` fetch adds nothing.
 */

/** A hand-written claim storing its value flat (no `{ v, t }`), like a user might write. */
class FlatClaim extends SessionClaim<string> {
  calls: Array<[string, string, UserContext]> = [];

  constructor(private readonly source: (userId: string) => Promise<string | undefined> | string | undefined) {
    super('flat');
  }

  fetchValue(userId: string, tenantId: string, userContext: UserContext) {
    this.calls.push([userId, tenantId, userContext]);
    return this.source(userId);
  }
  addToPayload_internal(payload: JSONObject, value: string): JSONObject {
    return { ...payload, [this.key]: value };
  }
  removeFromPayloadByMerge_internal(payload: JSONObject): JSONObject {
    return { ...payload, [this.key]: null };
  }
  removeFromPayload(payload: JSONObject): JSONObject {
    const copy = { ...payload };
    delete copy[this.key];
    return copy;
  }
  getValueFromPayload(payload: JSONObject): string | undefined {
    const v = payload[this.key];
    return typeof v === 'string' ? v : undefined;
  }
}

describe('SessionClaim (abstract base)', () => {
  it('exposes the key given to the constructor', () => {
    expect(new FlatClaim(() => 'x').key).toBe('flat');
  });

  it('build fetches the value for the user and tenant and returns only the claim fragment', async () => {
    const claim = new FlatClaim((userId) => `plan-of-${userId}`);
    const ctx: UserContext = { marker: 1 };

    await expect(claim.build('user-1', 'tenant-a', ctx)).resolves.toEqual({ flat: 'plan-of-user-1' });
    expect(claim.calls).toEqual([['user-1', 'tenant-a', ctx]]);
    expect(claim.calls[0][2]).toBe(ctx);
  });

  it('build awaits an async fetcher', async () => {
    const claim = new FlatClaim(async () => 'async-value');
    await expect(claim.build('u', 'public')).resolves.toEqual({ flat: 'async-value' });
  });

  it('build returns an empty object when the fetcher returns undefined (nothing is added)', async () => {
    const claim = new FlatClaim(() => undefined);
    await expect(claim.build('u', 'public')).resolves.toEqual({});
  });

  it('build passes an empty user context to the fetcher when none is given', async () => {
    const claim = new FlatClaim(() => 'v');
    await claim.build('u', 'public');
    expect(claim.calls).toEqual([['u', 'public', {}]]);
  });

  it('a custom claim need not implement getLastRefetchTime', () => {
    expect(new FlatClaim(() => 'v').getLastRefetchTime).toBeUndefined();
  });
});
