import type { Response } from 'supertest';

/** A Set-Cookie header parsed into its value and attributes. */
export interface ParsedSetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** All Set-Cookie headers of a response. */
export function setCookies(res: Response): ParsedSetCookie[] {
  const raw = res.headers['set-cookie'] as unknown as string[] | string | undefined;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((line) => {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const a of attrs) {
      const i = a.indexOf('=');
      if (i < 0) attributes[a.toLowerCase()] = true;
      else attributes[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
    }
    return { name: pair.slice(0, eq), value: decodeURIComponent(pair.slice(eq + 1)), attributes };
  });
}

/** One Set-Cookie by name. */
export function setCookie(res: Response, name: string): ParsedSetCookie | undefined {
  return setCookies(res).find((c) => c.name === name);
}

/** The `front-token` header decoded. */
export function decodeFrontToken(header: string): { uid: string; ate: number; up: Record<string, unknown> } {
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
}

/** The payload of a JWT, without verification (for assertions). */
export function jwtPayload(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** The header of a JWT, without verification. */
export function jwtHeader(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/** Tokens of a header-mode response. */
export function headerTokens(res: Response): { access: string; refresh: string; front: string } {
  return { access: res.headers['st-access-token'], refresh: res.headers['st-refresh-token'], front: res.headers['front-token'] };
}

/** Tokens of a cookie-mode response. */
export function cookieTokens(res: Response): { access?: string; refresh?: string; front: string } {
  return { access: setCookie(res, 'sAccessToken')?.value, refresh: setCookie(res, 'sRefreshToken')?.value, front: res.headers['front-token'] };
}

/**
 * Matches an access-token lifetime (or `exp`, given `iat`) of a token issued with
 * `accessTokenValidity: validity` under the default `accessTokenJitter` (0–5 % shorter, whole seconds).
 */
export function lifetimeWithinJitter(validity: number, iat = 0, jitter = 0.05) {
  const lowest = iat + Math.max(1, Math.floor(validity * (1 - jitter)));
  const highest = iat + validity;
  return {
    asymmetricMatch: (actual: unknown) => typeof actual === 'number' && actual >= lowest && actual <= highest,
    toString: () => `LifetimeWithinJitter`,
    toAsymmetricMatcher: () => `a number from ${lowest} to ${highest}`,
  };
}
