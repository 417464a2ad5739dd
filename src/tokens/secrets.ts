import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh random secret (256 bits), base64url. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time equality of two secrets (token hashes, anti-CSRF tokens): the time taken does
 * not tell an attacker how many leading characters matched. Only the length may leak.
 */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
