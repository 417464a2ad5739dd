import { BooleanClaim } from '../../src';

/**
 * "The user completed the second factor", as in the seed "Using claim validators". Its source
 * always says `false`: the value lives in the session only, every new session starts without it,
 * and `POST /2fa/verify` sets it with `session.setClaimValue(SecondFactorClaim, true)`.
 */
export const SecondFactorClaim = new BooleanClaim({
  key: '2fa-completed',
  fetchValue: () => false,
});
