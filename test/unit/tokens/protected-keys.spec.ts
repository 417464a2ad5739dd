import { ProtectedPayloadKeyError } from '../../../src/errors/payload-errors';
import {
  assertNoProtectedKeys,
  customClaimsOf,
  customPartOfReplacement,
  PROTECTED_PAYLOAD_KEYS,
  withoutProtectedKeys,
} from '../../../src/tokens/protected-keys';

/**
 * The keys the session layer owns can never be written by the application: a value for one is
 * refused with a named error, `{ key: null }` in a merge is ignored, and the custom part of a
 * payload is everything else.
 */
describe('protected payload keys', () => {
  it("are SuperTokens' keys plus iss and the registered claims other verifiers read (nbf, jti, aud)", () => {
    expect([...PROTECTED_PAYLOAD_KEYS].sort()).toEqual(
      ['antiCsrfToken', 'exp', 'iat', 'iss', 'nbf', 'jti', 'aud', 'parentRefreshTokenHash1', 'refreshTokenHash1', 'rsub', 'sessionHandle', 'stt', 'sub', 'tId'].sort(),
    );
  });

  it('assertNoProtectedKeys names the first protected key set to a value; null is allowed only in merges', () => {
    expect(() => assertNoProtectedKeys({ ok: 1, sub: 'x', exp: 1 }, true)).toThrow(new ProtectedPayloadKeyError('sub'));
    expect(() => assertNoProtectedKeys({ sub: null }, true)).not.toThrow();
    expect(() => assertNoProtectedKeys({ sub: null }, false)).toThrow(ProtectedPayloadKeyError);
    expect(() => assertNoProtectedKeys({ subject: 'fine', '__proto__x': 1 }, false)).not.toThrow();
  });

  it('withoutProtectedKeys drops protected keys and undefined values; customClaimsOf keeps nulls', () => {
    expect(withoutProtectedKeys({ a: 1, sub: null, b: undefined, c: null })).toEqual({ a: 1, c: null });
    expect(customClaimsOf({ sub: 'u', exp: 1, iss: 'x', role: 'admin', gone: null })).toEqual({ role: 'admin', gone: null });
  });

  describe('customPartOfReplacement (legacy updateAccessTokenPayload)', () => {
    const current = { sub: 'u', exp: 10, iss: 'nest-session', role: 'user', jwt: 'signed' };

    it('accepts the session\'s own values back unchanged and drops them, and drops the derived key', () => {
      expect(customPartOfReplacement(current, { ...current, role: 'admin', extra: true }, 'jwt')).toEqual({ role: 'admin', extra: true });
    });

    it('refuses a changed protected key, ignores null and undefined', () => {
      expect(() => customPartOfReplacement(current, { sub: 'someone-else' })).toThrow(new ProtectedPayloadKeyError('sub'));
      expect(customPartOfReplacement(current, { exp: null, role: undefined, keep: 1 })).toEqual({ keep: 1 });
    });

    it('keeps a key named like the derived key when there is no derived key', () => {
      expect(customPartOfReplacement(current, { jwt: 'mine' })).toEqual({ jwt: 'mine' });
    });
  });
});
