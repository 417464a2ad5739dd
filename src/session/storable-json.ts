import { InvalidJsonValueError } from '../errors/payload-errors';

/**
 * Levels of nesting a payload or session-data object may have, the object itself being level 1.
 * The same on every database: MariaDB refuses documents nested 32 deep, and a claim adds two
 * levels (`{ key: { v, t } }`) above its value, so 20 leaves room without surprising anyone.
 */
export const MAX_JSON_DEPTH = 20;

/**
 * Throws {@link InvalidJsonValueError} unless `value` is a plain JSON object every supported
 * database stores and gives back unchanged: at most {@link MAX_JSON_DEPTH} levels, well-formed
 * strings without U+0000 (keys included: PostgreSQL's `jsonb` cannot hold U+0000 and MariaDB
 * refuses lone surrogates), finite numbers, and nothing JSON has no form for. `undefined`
 * members are allowed (JSON drops them). Checked at the library boundary, before any write, so a
 * refused value changes nothing and cannot poison a session for its later writes.
 */
export function assertStorableJson(value: unknown, what: InvalidJsonValueError['what']): void {
  if (value === null || value === undefined) return;
  if (!isPlainObject(value)) throw new InvalidJsonValueError(what, '$', 'must be a plain JSON object');
  check(value, what, '$', 1, new Set());
}

function check(value: unknown, what: InvalidJsonValueError['what'], path: string, depth: number, open: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (!wellFormed(value)) throw new InvalidJsonValueError(what, path, 'strings must be well-formed UTF-16 without U+0000');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidJsonValueError(what, path, 'numbers must be finite');
      return;
    case 'boolean':
      return;
    case 'object':
      break;
    default:
      throw new InvalidJsonValueError(what, path, `a ${typeof value} has no JSON form`);
  }
  if (value === null) return;
  if (depth > MAX_JSON_DEPTH) throw new InvalidJsonValueError(what, path, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (open.has(value)) throw new InvalidJsonValueError(what, path, 'circular reference');
  open.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(value[i] ?? null, what, `${path}[${i}]`, depth + 1, open);
  } else {
    if (!isPlainObject(value)) throw new InvalidJsonValueError(what, path, 'only plain objects, arrays and primitives are JSON');
    for (const key of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[key];
      if (!wellFormed(key)) throw new InvalidJsonValueError(what, `${path}[key]`, 'keys must be well-formed UTF-16 without U+0000');
      if (member === undefined) continue;
      check(member, what, `${path}${pathPart(key)}`, depth + 1, open);
    }
  }
  open.delete(value);
}

const LONE_SURROGATE_OR_NUL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/;

/** No lone surrogates and no U+0000. */
function wellFormed(text: string): boolean {
  return !LONE_SURROGATE_OR_NUL.test(text);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // Any realm's Object.prototype (structuredClone, vm contexts): a prototype whose own prototype is null.
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A readable path segment that never echoes an odd key verbatim. */
function pathPart(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/.test(key) ? `.${key}` : '[…]';
}
