/** Wire names of SuperTokens' protocol. */
export const WIRE = {
  accessCookie: 'sAccessToken',
  refreshCookie: 'sRefreshToken',
  accessHeader: 'st-access-token',
  refreshHeader: 'st-refresh-token',
  frontToken: 'front-token',
  antiCsrf: 'anti-csrf',
  authMode: 'st-auth-mode',
  rid: 'rid',
} as const;
