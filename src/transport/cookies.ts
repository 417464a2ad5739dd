/** Attributes of a Set-Cookie header. */
export interface CookieAttributes {
  path: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'lax' | 'strict' | 'none';
  domain?: string;
  /** Absolute expiry, epoch ms. */
  expires: number;
}

/**
 * Reads one cookie from a raw `Cookie` header without a cookie-parser dependency, so the module
 * works the same on Express and Fastify. The first occurrence wins, as in browsers' ordering.
 */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const raw = Array.isArray(header) ? header.join('; ') : header;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * Whether a raw `Cookie` header holds `name` more than once: browsers send both cookies when one
 * is on the host and an older one on a parent domain (or another path), and nothing says which is which.
 */
export function hasDuplicateCookie(header: string | string[] | undefined, name: string): boolean {
  if (header === undefined) return false;
  const raw = Array.isArray(header) ? header.join('; ') : header;
  // Fast path for every request: a name that does not occur twice as a substring cannot be duplicated.
  const first = raw.indexOf(name);
  if (first < 0 || raw.indexOf(name, first + name.length) < 0) return false;
  let seen = 0;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === name) seen++;
  }
  return seen > 1;
}

/** Serialises a Set-Cookie header value. */
export function serialiseCookie(name: string, value: string, attributes: CookieAttributes): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${attributes.path}`, `Expires=${new Date(attributes.expires).toUTCString()}`];
  if (attributes.domain) parts.push(`Domain=${attributes.domain}`);
  if (attributes.httpOnly) parts.push('HttpOnly');
  if (attributes.secure) parts.push('Secure');
  parts.push(`SameSite=${attributes.sameSite[0].toUpperCase()}${attributes.sameSite.slice(1)}`);
  return parts.join('; ');
}
