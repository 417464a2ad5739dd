import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters, stored with every hash so they can be raised later without breaking old hashes. */
export interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/** OWASP's minimum for scrypt (N=2^14, r=8, p=1): about 50 ms and 16 MiB per hash. */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = { N: 16384, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/**
 * Hashes passwords with `node:crypto` scrypt and a random 16-byte salt, as
 * `scrypt$N$r$p$<salt base64>$<hash base64>`, and verifies them in constant time.
 */
@Injectable()
export class PasswordHasher {
  private readonly parameters = DEFAULT_SCRYPT_PARAMETERS;
  private dummyHash?: Promise<string>;

  async hash(password: string): Promise<string> {
    const { N, r, p } = this.parameters;
    const salt = randomBytes(SALT_BYTES);
    const key = await scryptAsync(password, salt, KEY_BYTES, options(this.parameters));
    return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /** True when `password` matches `stored`; false for a wrong password or a malformed hash. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parse(stored);
    if (!parsed) return false;
    const key = await scryptAsync(password, parsed.salt, parsed.hash.length, options(parsed.parameters));
    return timingSafeEqual(key, parsed.hash);
  }

  /**
   * Spends the time of one verification without a user, so "no such email" and "wrong password"
   * take as long as each other and the sign-in route does not reveal which emails exist.
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(password, await this.dummyHash);
    return false;
  }
}

function options({ N, r, p }: ScryptParameters): ScryptOptions {
  // Node refuses scrypt above 32 MiB unless maxmem is raised; 128 * N * r is what it needs.
  return { N, r, p, maxmem: 256 * N * r };
}

/** Parses a stored hash; refuses parameters outside sane bounds (a tampered row must not hang the server). */
function parse(stored: string): { parameters: ScryptParameters; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const powerOfTwo = Number.isInteger(N) && N >= 2 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > 2 ** 20 || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return undefined;
  const salt = Buffer.from(parts[4], 'base64');
  const hash = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || hash.length < 16 || hash.length > 64) return undefined;
  return { parameters: { N, r, p }, salt, hash };
}
