import { InvalidIdentifierError } from '../errors/invalid-identifier-error';

/** The longest value each identifier column holds (the entities' and migrations' lengths). */
export const IDENTIFIER_MAX_LENGTH = {
  sessionHandle: 36,
  userId: 255,
  tenantId: 128,
  role: 255,
  permission: 255,
} as const;

/** An identifier kind of {@link IDENTIFIER_MAX_LENGTH}. */
export type IdentifierKind = keyof typeof IDENTIFIER_MAX_LENGTH;

/** Throws {@link InvalidIdentifierError} unless `value` is a non-empty string that fits its column. */
export function assertIdentifier(kind: IdentifierKind, value: unknown, field: string = kind): asserts value is string {
  const max = IDENTIFIER_MAX_LENGTH[kind];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new InvalidIdentifierError(field, max);
}

/** The same for an optional id: `undefined` means "not given" (e.g. every tenant); `null` and others are refused. */
export function assertOptionalIdentifier(kind: IdentifierKind, value: unknown, field: string = kind): asserts value is string | undefined {
  if (value !== undefined) assertIdentifier(kind, value, field);
}

/** Every element of a list of ids (the list itself must be an array). */
export function assertIdentifiers(kind: IdentifierKind, values: unknown, field: string): asserts values is string[] {
  if (!Array.isArray(values)) throw new InvalidIdentifierError(field, IDENTIFIER_MAX_LENGTH[kind]);
  values.forEach((value, i) => assertIdentifier(kind, value, `${field}[${i}]`));
}
