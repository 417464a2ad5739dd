import type { IncomingHttpHeaders } from 'node:http';

/**
 * The smallest common surface of Express and Fastify requests/responses the module needs.
 * Fastify wraps Node's objects (`request.raw`, `reply.raw`); Express extends them.
 */
export interface RequestLike {
  method?: string;
  headers: IncomingHttpHeaders;
  raw?: { method?: string; headers: IncomingHttpHeaders };
  [key: string]: unknown;
}

/** An Express response or a Fastify reply. */
export type ResponseLike = object;

/** The request and response one session operation happens in (both absent for the `...WithoutRequestResponse` forms). */
export interface HttpExchange {
  request?: RequestLike;
  response?: ResponseLike;
}

/** The value of a request header (first value if repeated). */
export function requestHeader(request: RequestLike, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** HTTP method, upper case. */
export function requestMethod(request: RequestLike): string {
  return (request.method ?? request.raw?.method ?? 'GET').toUpperCase();
}

interface HeaderWriter {
  get(name: string): unknown;
  set(name: string, value: string | string[]): void;
  remove(name: string): void;
}

function writerFor(response: ResponseLike): HeaderWriter {
  const reply = response as {
    raw?: unknown;
    header?: (n: string, v: unknown) => unknown;
    getHeader: (n: string) => unknown;
    removeHeader: (n: string) => unknown;
    setHeader?: (n: string, v: unknown) => unknown;
    code?: unknown;
  };
  // A Fastify reply: headers are buffered on the reply and written at send.
  if (reply.raw !== undefined && typeof reply.code === 'function' && typeof reply.header === 'function') {
    return {
      get: (n) => reply.getHeader(n),
      set: (n, v) => {
        reply.removeHeader(n);
        reply.header!(n, v);
      },
      remove: (n) => reply.removeHeader(n),
    };
  }
  return {
    get: (n) => reply.getHeader(n),
    set: (n, v) => reply.setHeader!(n, v),
    remove: (n) => reply.removeHeader(n),
  };
}

/** True once the response has been sent (headers can no longer change). */
export function headersSent(response: ResponseLike): boolean {
  const r = response as { headersSent?: boolean; sent?: boolean; raw?: { headersSent?: boolean } };
  return Boolean(r.raw?.headersSent ?? r.headersSent ?? r.sent);
}

/** Sets a response header, replacing an earlier value. */
export function setResponseHeader(response: ResponseLike, name: string, value: string): void {
  writerFor(response).set(name, value);
}

/** Removes a response header (e.g. an `anti-csrf` token of a session whose tokens are being cleared). */
export function removeResponseHeader(response: ResponseLike, name: string): void {
  writerFor(response).remove(name);
}

/**
 * Adds a Set-Cookie value, replacing an earlier one for the same cookie (name, path and domain:
 * the browser keeps cookies of other domains apart, so clearing one must not drop the other).
 */
export function setResponseCookie(response: ResponseLike, name: string, path: string, domain: string | undefined, cookie: string): void {
  const writer = writerFor(response);
  const current = writer.get('set-cookie');
  const list = current === undefined ? [] : Array.isArray(current) ? (current as string[]) : [String(current)];
  const sameCookie = (c: string) => c.startsWith(`${name}=`) && c.includes(`; Path=${path};`) && cookieDomainOf(c) === (domain || undefined);
  const kept = list.filter((c) => !sameCookie(c));
  writer.set('set-cookie', [...kept, cookie]);
}

function cookieDomainOf(setCookie: string): string | undefined {
  return /; Domain=([^;]*)/.exec(setCookie)?.[1];
}

/** Adds names to `Access-Control-Expose-Headers`, keeping what the app put there. */
export function exposeHeaders(response: ResponseLike, names: string[]): void {
  const writer = writerFor(response);
  const current = writer.get('access-control-expose-headers');
  const existing = current === undefined ? [] : String(current).split(',').map((s) => s.trim()).filter(Boolean);
  const merged = [...existing];
  for (const n of names) if (!merged.some((e) => e.toLowerCase() === n.toLowerCase())) merged.push(n);
  writer.set('access-control-expose-headers', merged.join(', '));
}
