/**
 * What one instance tells the others. Handles only, never payloads: a message stays small (well
 * under PostgreSQL's 8000-byte NOTIFY limit for ordinary events) and carries nothing secret.
 */
export type FeedEvent =
  /** Sessions deleted; `until` (epoch ms) is when every access token issued before the revocation has expired. */
  | { kind: 'revoked'; handles: string[]; until: number }
  /** The stored custom payload of these sessions changed (offline merge, replace). */
  | { kind: 'payload'; handles: string[] }
  /** Every live session of a user changed (`mergeIntoAccessTokenPayloadForUser`); `tenantId` null: all tenants. */
  | { kind: 'user-payload'; userId: string; tenantId: string | null };

/** The wire form of an event (JSON with short keys, `a` = when it was published), as stored in the feed log and sent. */
export function encodeFeedEvent(event: FeedEvent, publishedAt: number): string {
  switch (event.kind) {
    case 'revoked':
      return JSON.stringify({ k: 'r', h: event.handles, u: event.until, a: publishedAt });
    case 'payload':
      return JSON.stringify({ k: 'p', h: event.handles, a: publishedAt });
    case 'user-payload':
      return JSON.stringify({ k: 'u', s: event.userId, t: event.tenantId, a: publishedAt });
  }
}

/** When a wire body was published (epoch ms), if it says. */
export function publishedAtOf(body: string): number | undefined {
  const match = /"a":(\d{1,15})[,}]/.exec(body);
  return match ? Number(match[1]) : undefined;
}

/** The event of a wire body, or `undefined` when it is not one (a receiver then catches up from the log). */
export function decodeFeedEvent(body: string): FeedEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = raw as Record<string, unknown>;
  const handles = Array.isArray(value.h) && value.h.every((h) => typeof h === 'string') ? (value.h as string[]) : undefined;
  if (value.k === 'r' && handles && typeof value.u === 'number' && Number.isFinite(value.u)) return { kind: 'revoked', handles, until: value.u };
  if (value.k === 'p' && handles) return { kind: 'payload', handles };
  if (value.k === 'u' && typeof value.s === 'string' && (value.t === null || typeof value.t === 'string')) {
    return { kind: 'user-payload', userId: value.s, tenantId: value.t };
  }
  return undefined;
}

/** A message on a transport: `<seq> <body>`, or `<seq>` alone when the body is only in the log (too big to send). */
export interface FeedMessage {
  seq: number;
  body?: string;
}

export function encodeFeedMessage(seq: number, body: string | undefined): string {
  return body === undefined ? String(seq) : `${seq} ${body}`;
}

/** `undefined` for a malformed message (treated as a gap). */
export function decodeFeedMessage(text: string): FeedMessage | undefined {
  const space = text.indexOf(' ');
  const head = space < 0 ? text : text.slice(0, space);
  if (!/^\d{1,16}$/.test(head)) return undefined;
  return { seq: Number(head), body: space < 0 ? undefined : text.slice(space + 1) };
}
