import request, { type Response, type Test } from 'supertest';
import { cookieTokens, headerTokens } from './tokens';

/** How a client carries its tokens. */
export type TransferMode = 'header' | 'cookie';
/** Both transfer modes, for `describe.each`. */
export const TRANSFER_MODES: TransferMode[] = ['header', 'cookie'];

/** Attaches an access token the way the mode sends it. */
export function withAccessToken(req: Test, mode: TransferMode, accessToken: string): Test {
  return mode === 'cookie' ? req.set('Cookie', `sAccessToken=${accessToken}`) : req.set('Authorization', `Bearer ${accessToken}`);
}

/** `POST /auth/session/refresh` carrying the refresh token the way the mode sends it. */
export function refreshRequest(server: Parameters<typeof request>[0], mode: TransferMode, refreshToken: string): Test {
  const req = request(server).post('/auth/session/refresh');
  return mode === 'cookie' ? req.set('Cookie', `sRefreshToken=${refreshToken}`) : req.set('Authorization', `Bearer ${refreshToken}`);
}

/** The tokens a response sent in the mode (cookies or headers). */
export function tokensInMode(res: Response, mode: TransferMode): { access?: string; refresh?: string; front?: string } {
  return mode === 'cookie' ? cookieTokens(res) : headerTokens(res);
}
