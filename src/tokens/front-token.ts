import type { JSONObject } from '../json';

/** The `front-token` header SuperTokens' frontend SDKs read: base64 of `{ uid, ate, up }`. */
export function buildFrontToken(userId: string, accessTokenExpiryMs: number, payload: JSONObject): string {
  return Buffer.from(JSON.stringify({ uid: userId, ate: accessTokenExpiryMs, up: payload }), 'utf8').toString('base64');
}
