import type { SessionError } from '../errors/session-error';
import { WIRE } from '../transport/token-names';

/** What the module needs of a socket.io `Socket` (duck-typed: socket.io is not loaded). */
interface SocketIoClient {
  handshake: { headers: Record<string, string | string[] | undefined>; auth?: Record<string, unknown> };
  emit(event: string, data: unknown): unknown;
  disconnect(close?: boolean): unknown;
}

/** What the module needs of a `ws` `WebSocket`. */
interface WsClient {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** The `ws` close code for a session that is not (or no longer) valid: 4000 + HTTP 401. */
export const WS_CLOSE_UNAUTHORISED = 4401;

/** Where a handshake carried its access token: a bearer header / socket.io `auth` (not ambient) or a cookie (ambient). */
export interface HandshakeToken {
  token: string;
  from: 'header' | 'cookie';
}

/** The handshake's headers: socket.io keeps them on the socket, `ws` gives the upgrade request to `handleConnection`. */
function handshakeHeaders(client: unknown, request: unknown): Record<string, string | string[] | undefined> {
  if (isSocketIo(client)) return client.handshake.headers;
  return ((request as { headers?: Record<string, string | string[] | undefined> } | undefined)?.headers ?? {}) as Record<string, string | string[] | undefined>;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookie(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const part of (header(headers, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * The access token of a handshake: `Authorization: Bearer`, socket.io's `auth: { accessToken }`
 * (browsers cannot set headers on a WebSocket), then the `sAccessToken` cookie.
 */
export function readHandshakeToken(client: unknown, request?: unknown): HandshakeToken | undefined {
  const headers = handshakeHeaders(client, request);
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '')?.[1];
  if (bearer) return { token: bearer, from: 'header' };
  const auth = isSocketIo(client) ? client.handshake.auth?.accessToken : undefined;
  if (typeof auth === 'string' && auth !== '') return { token: auth, from: 'header' };
  const fromCookie = cookie(headers, WIRE.accessCookie);
  return fromCookie ? { token: fromCookie, from: 'cookie' } : undefined;
}

/**
 * Browsers send cookies with cross-site WebSocket handshakes (no CORS, no SameSite=lax shield for
 * a same-site attacker), so a cookie handshake must come from an allowed origin: the listed ones,
 * else the handshake's own host. Non-browser clients send no `Origin` and are not a CSRF risk.
 */
export function handshakeOriginAllowed(client: unknown, request: unknown, allowedOrigins?: readonly string[]): boolean {
  const headers = handshakeHeaders(client, request);
  const origin = header(headers, 'origin');
  if (origin === undefined) return true;
  if (allowedOrigins) return allowedOrigins.includes(origin);
  try {
    return new URL(origin).host === header(headers, 'host');
  } catch {
    return false;
  }
}

/** socket.io's `Socket`, as opposed to a `ws` `WebSocket`. */
export function isSocketIo(client: unknown): client is SocketIoClient {
  return typeof (client as SocketIoClient | undefined)?.handshake === 'object' && typeof (client as SocketIoClient).disconnect === 'function';
}

/** The SuperTokens body of a session error as a WebSocket client receives it. */
export function wsErrorBody(error: SessionError): Record<string, unknown> {
  return { status: 'error', statusCode: error.getStatus(), type: error.type, ...(error.getResponse() as Record<string, unknown>) };
}

/** Whether the session is unusable (so the socket is closed), as opposed to a failed claim on one message. */
export function closesSocket(error: SessionError): boolean {
  return error.type !== 'INVALID_CLAIMS';
}

/**
 * Tells the client why, as an `exception` event (socket.io: `socket.on('exception')`; `ws`: a
 * `{"event":"exception","data":...}` message, Nest's ws message format), then closes the socket
 * when the session itself failed (`ws`: close code 4401 with the message as reason).
 */
export function rejectClient(client: unknown, error: SessionError, options: { notify: boolean }): void {
  const body = wsErrorBody(error);
  if (isSocketIo(client)) {
    if (options.notify) client.emit('exception', body);
    // After the current emits (Nest's exception filter emits the guard's error in this tick).
    if (closesSocket(error)) setImmediate(() => client.disconnect(true));
    return;
  }
  const ws = client as WsClient;
  if (typeof ws.send !== 'function' || ws.readyState !== 1) return;
  if (options.notify) ws.send(JSON.stringify({ event: 'exception', data: body }));
  if (!closesSocket(error)) return;
  const close = () => ws.close(WS_CLOSE_UNAUTHORISED, String(body.message ?? 'unauthorised').slice(0, 120));
  // Not notifying: Nest's exception filter sends the guard's error later in this tick; close after it.
  if (options.notify) close();
  else setImmediate(close);
}
