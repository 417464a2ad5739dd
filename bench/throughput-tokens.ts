/**
 * Our module's side of the throughput race: the module options every `usesModule` server opens
 * (one SQLite file for all of them, so they share one signing key) and the minter that creates
 * the access tokens the load generator sends (one session; the never-seen pool is signed from its
 * payload with the module's internal `AccessTokenService`).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { decodeJwt } from 'jose';
import { randomUUID } from 'node:crypto';
import { BooleanClaim, SessionModule, type SessionModuleOptions, SessionService } from '../src';
// Internal: the pool is signed directly with the module's key (one real session, not thousands).
import { AccessTokenService } from '../src/tokens/access-token.service';
import type { AccessTokenPayload } from '../src/tokens/access-token-payload';

/** Every minted session carries this claim (true): tokens have a custom claim, as real ones do. */
export const BenchFlagClaim = new BooleanClaim({ key: 'bench-flag', fetchValue: () => true });

/** The module as every bench server opens it: the shared SQLite file, no cleanup timer. */
export function benchSessionModule(file: string, options: SessionModuleOptions = {}) {
  return SessionModule.forRoot({
    database: {
      type: 'better-sqlite3',
      database: file,
      // Minting writes thousands of rows; durability of a throw-away bench file does not matter.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = OFF');
      },
    },
    cleanupInterval: 0,
    claimsToAddOnCreate: [BenchFlagClaim],
    ...options,
  });
}

export interface MintedTokens {
  /** The token of the steady-state variants. */
  single: string;
  /** Distinct valid tokens (one session handle each) for the never-seen variants. */
  pool: string[];
  /** The public JWKS of the signing key. */
  jwks: { keys: object[] };
}

/** Tokens signed concurrently (each `sign` awaits the signing key, then signs). */
const SIGN_BATCH = 64;
/** Minted tokens verified through the public API before the bench uses them. */
const VERIFY_SAMPLE = 64;
/** Lifetime of the pool's tokens: longer than any run. */
const POOL_TOKEN_SECONDS = 24 * 3600;

/**
 * Creates ONE real session in `file` (migrating it first) and returns its access token, plus
 * `poolSize` more tokens signed with the module's own key (`AccessTokenService.sign`): the same
 * payload (same user, claims, `iat`, shape and size) but each a distinct random `sessionHandle`
 * and an `exp` a day ahead. The verifier checks them statelessly (signature, `exp`, `iss`, shape;
 * no database read without `checkDatabase`), so they verify as any token of that app would.
 * ~1 ms each (an RS256 signature) instead of ~6.7 ms for a session each. A sample is verified
 * through `getSessionWithoutRequestResponse` first; one refusal throws.
 */
export async function mintTokens(file: string, poolSize: number, onProgress?: (done: number) => void): Promise<MintedTokens> {
  @Module({ imports: [benchSessionModule(file)] })
  class MinterModule {}
  const app = await NestFactory.createApplicationContext(MinterModule, { logger: false });
  try {
    const sessions = app.get(SessionService);
    const signer = app.get(AccessTokenService);
    const single = (await sessions.createNewSessionWithoutRequestResponse('public', 'bench-user-0', { name: 'Bench User' })).getAccessToken();
    const base = decodeJwt(single) as AccessTokenPayload;
    const exp = Math.max(base.exp, Math.floor(Date.now() / 1000) + POOL_TOKEN_SECONDS);
    const pool: string[] = [];
    const step = Math.max(SIGN_BATCH, Math.ceil(poolSize / 10 / SIGN_BATCH) * SIGN_BATCH);
    while (pool.length < poolSize) {
      const count = Math.min(SIGN_BATCH, poolSize - pool.length);
      pool.push(...(await Promise.all(Array.from({ length: count }, () => signer.sign({ ...base, sessionHandle: randomUUID(), exp })))));
      if (pool.length % step === 0 || pool.length === poolSize) onProgress?.(pool.length);
    }
    if (new Set(pool).size !== pool.length) throw new Error('minted pool has duplicate tokens');
    const sample = pool.length <= VERIFY_SAMPLE ? pool : Array.from({ length: VERIFY_SAMPLE }, (_, i) => pool[Math.floor((i * (pool.length - 1)) / (VERIFY_SAMPLE - 1))]);
    for (const token of sample) {
      try {
        await sessions.getSessionWithoutRequestResponse(token);
      } catch (error) {
        throw new Error(`a minted pool token was refused by getSessionWithoutRequestResponse: ${String(error)}`);
      }
    }
    return { single, pool, jwks: sessions.getJWKS() as { keys: object[] } };
  } finally {
    await app.close();
  }
}
