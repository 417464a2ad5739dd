/** A JSON primitive. */
export type JSONPrimitive = string | number | boolean | null;
/** A JSON value. */
export type JSONValue = JSONPrimitive | JSONObject | JSONValue[];
/** A JSON object such as an access-token payload. */
export interface JSONObject {
  [key: string]: JSONValue | undefined;
}

/**
 * Equality of two JSON values, blind to key order (databases may reorder object keys) and to
 * `undefined` members (JSON has none). Identity first, so unchanged values cost nothing.
 */
export function jsonEqual(a: JSONValue | undefined, b: JSONValue | undefined): boolean {
  return a === b || canonical(a) === canonical(b);
}

function canonical(value: JSONValue | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}
