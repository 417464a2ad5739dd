/** What `config.js` tells the page (set by whoever serves it: the sample app, a CDN, a test). */
export interface PageConfig {
  /** Origin of the API; default: the page's own origin. */
  apiDomain: string;
  /** Where the session routes live (`/auth`, the library's default). */
  apiBasePath: string;
  /** `cookie` (HttpOnly cookies, the default) or `header` (tokens in `Authorization`). */
  tokenTransferMethod: 'cookie' | 'header';
}

declare global {
  interface Window {
    NEWSROOM_CONFIG?: Partial<PageConfig>;
  }
}

export function readPageConfig(): PageConfig {
  const given = window.NEWSROOM_CONFIG ?? {};
  return {
    apiDomain: given.apiDomain ?? window.location.origin,
    apiBasePath: given.apiBasePath ?? '/auth',
    tokenTransferMethod: given.tokenTransferMethod === 'header' ? 'header' : 'cookie',
  };
}
