/** The feed's answer for one verified access token. */
export type FeedVerdict = 'trust' | 'revoked' | FeedRead;

/**
 * Read the session from the database for this request (what `checkDatabase` does): its payload
 * changed, or this instance may have missed news. `confirm` records the token the request ends
 * with (the presented one, or the re-issued one) as current, so its next requests are trusted again.
 */
export interface FeedRead {
  confirm(accessToken: string): void;
}

/** The last characters of a token (in its signature): a cheap, practically unique name for it. */
export function tokenTail(accessToken: string): string {
  return accessToken.slice(-43);
}
