import { readAccessTokenHeader } from '../../../src/tokens/access-token-header';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (header: unknown) => `${segment(header)}.${segment({ sub: 'u' })}.c2lnbmF0dXJl`;
const ours = { alg: 'RS256', typ: 'JWT', version: '5', kid: 'd-1' };

describe('readAccessTokenHeader (header segments are remembered)', () => {
  it('answers the same for a header read before, whatever the rest of the token', () => {
    const first = readAccessTokenHeader(token(ours));
    const second = readAccessTokenHeader(`${segment(ours)}.${segment({ sub: 'other' })}.b3RoZXI`);
    expect(first).toEqual({ kid: 'd-1', alg: 'RS256' });
    expect(second).toEqual(first);
    expect(Object.isFrozen(second)).toBe(true);
  });

  it('still refuses what is not our header, every time (refusals are not remembered as answers)', () => {
    for (const header of [{ ...ours, version: '4' }, { ...ours, crit: ['b64'] }, { alg: 'RS256', version: '5' }, { ...ours, kid: 7 }]) {
      expect(readAccessTokenHeader(token(header))).toBeUndefined();
      expect(readAccessTokenHeader(token(header))).toBeUndefined();
    }
    // A remembered header does not make a malformed token acceptable.
    readAccessTokenHeader(token(ours));
    expect(readAccessTokenHeader(`${segment(ours)}.${segment({ sub: 'u' })}`)).toBeUndefined();
    expect(readAccessTokenHeader(`${segment(ours)}.pay load.c2ln`)).toBeUndefined();
    expect(readAccessTokenHeader(`${segment(ours)}..c2ln`)).toBeUndefined();
  });

  it('stays correct past its bound: many distinct kids, then the first again', () => {
    for (let i = 0; i < 200; i++) expect(readAccessTokenHeader(token({ ...ours, kid: `k-${i}` }))?.kid).toBe(`k-${i}`);
    expect(readAccessTokenHeader(token({ ...ours, kid: 'k-0' }))).toEqual({ kid: 'k-0', alg: 'RS256' });
    // A very long (valid) header is read, not remembered, and still answered right.
    const long = { ...ours, kid: 'x'.repeat(2000) };
    expect(readAccessTokenHeader(token(long))?.kid).toBe(long.kid);
    expect(readAccessTokenHeader(token(long))?.kid).toBe(long.kid);
  });
});
