/** Wire names of SuperTokens' protocol (the cookie names get a prefix with `cookieHostPrefix`: `config.cookieNames`). */
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
