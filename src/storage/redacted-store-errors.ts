import { HttpException, Logger } from '@nestjs/common';
import { SessionConfigError } from '../errors/session-config-error';
import { SessionStorageError } from '../errors/session-storage-error';

const logger = new Logger('nest-session');
const MAX_DETAIL = 200;

/**
 * The store, whose every method turns a driver error into a {@link SessionStorageError} and logs
 * it once (the driver's error carries the statement and its parameters: private session data,
 * refresh salts, anti-CSRF tokens). Errors the library throws itself pass through unchanged.
 */
export function withRedactedErrors<T extends object>(store: T, storeName: string): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          throw redacted(error, `${storeName}.${property}`);
        }
      };
    },
  });
}

/** A {@link SessionStorageError} for a driver error (logged here); other library errors unchanged. */
export function redacted(error: unknown, operation: string): unknown {
  if (error instanceof SessionStorageError || isLibraryError(error)) return error;
  const e = error as { code?: unknown; errno?: unknown; driverError?: { code?: unknown }; message?: unknown; name?: unknown };
  const code = [e?.driverError?.code, e?.code, e?.errno].find((c) => typeof c === 'string' || typeof c === 'number');
  const storageError = new SessionStorageError(operation, code === undefined ? undefined : String(code), redactMessage(e));
  logger.error(`${storageError.name}: ${storageError.message}`);
  return storageError;
}

/** Errors with a meaning to the caller (config, protected keys, payload limits...) are not storage failures. */
function isLibraryError(error: unknown): boolean {
  if (error instanceof HttpException || error instanceof SessionConfigError) return true;
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' && /^(ProtectedPayloadKeyError|Payload\w*Error)$/.test(name);
}

/**
 * The first line of the driver's message, with quoted strings, bracketed and parenthesised
 * values and long runs with digits (hex, base64) replaced: what a value could hide in (MySQL's
 * `Duplicate entry '...'`, PostgreSQL's `Key (x)=(...)`), while keeping what an operator needs
 * (`connect ECONNREFUSED`, `no such table`, `attempt to write a readonly database`).
 */
function redactMessage(error: { name?: unknown; message?: unknown }): string {
  const kind = typeof error?.name === 'string' ? error.name : 'Error';
  const message = typeof error?.message === 'string' ? error.message.split('\n')[0] : '';
  const clean = message
    .replace(/'(?:[^'\\]|\\.)*'/g, "'?'")
    .replace(/"(?:[^"\\]|\\.)*"/g, '"?"')
    .replace(/\((?:[^()]*)\)=\((?:[^()]*)\)/g, '(?)=(?)')
    .replace(/\[[^\]]*\]/g, '[?]')
    .replace(/\{[^}]*\}/g, '{?}')
    .replace(/(?=[A-Za-z+/_=-]*[0-9])[A-Za-z0-9+/_=-]{20,}/g, '?')
    .slice(0, MAX_DETAIL);
  return `${kind}: ${clean}`;
}
