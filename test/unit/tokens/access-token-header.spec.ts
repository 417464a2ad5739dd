import { hasJwsShape, readAccessTokenHeader } from '../../../src/tokens/access-token-header';

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

describe('hasJwsShape (the compact-JWS shape check of every never-seen token)', () => {
  const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

  it('answers as the regular expression does, on edge cases and 20,000 random strings', () => {
    const edges = ['', '.', '..', 'a.b', 'a.b.c', 'a..c', '.b.c', 'a.b.', 'a.b.c.d', 'a.b.c\n', '\na.b.c', 'a b.c.d', 'a.b.c=', 'é.b.c', 'a.b.c\u0000', 'A-_z.9.0', 'a.b.c.'];
    for (const text of edges) expect([text, hasJwsShape(text)]).toEqual([text, SHAPE.test(text)]);
    const alphabet = 'ab.-_Z9=+/ \n\u00e9\u{1F600}';
    const chars = [...alphabet];
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let accepted = 0;
    for (let n = 0; n < 20_000; n++) {
      const length = Math.floor(random() * 12);
      let text = '';
      for (let i = 0; i < length; i++) text += random() < 0.7 ? chars[Math.floor(random() * 5)] : chars[Math.floor(random() * chars.length)];
      const expected = SHAPE.test(text);
      if (expected) accepted++;
      if (hasJwsShape(text) !== expected) throw new Error(`differs on ${JSON.stringify(text)}`);
    }
    // The corpus holds both answers in number, so the comparison above means something.
    expect(accepted).toBeGreaterThan(100);
  });
});
