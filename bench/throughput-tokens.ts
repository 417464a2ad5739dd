/**
 * Our module's side of the throughput race: the module options every `usesModule` server opens
 * (one SQLite file for all of them, so they share one signing key) and the minter that creates
 * the sessions whose access tokens the load generator sends. Public API only.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BooleanClaim, SessionModule, type SessionModuleOptions, SessionService } from '../src';

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
  /** Distinct valid tokens (one session each) for the never-seen variant. */
  pool: string[];
  /** The public JWKS of the signing key. */
  jwks: { keys: object[] };
}

/**
 * Creates `poolSize + 1` sessions in `file` (migrating it first) and returns their access tokens.
 * Sessions of different users, the same payload shape: `{ name, bench-flag }`.
 */
export async function mintTokens(file: string, poolSize: number, onProgress?: (done: number) => void): Promise<MintedTokens> {
  @Module({ imports: [benchSessionModule(file)] })
  class MinterModule {}
  const app = await NestFactory.createApplicationContext(MinterModule, { logger: false });
  try {
    const sessions = app.get(SessionService);
    const mint = async (i: number) =>
      (await sessions.createNewSessionWithoutRequestResponse('public', `bench-user-${i}`, { name: 'Bench User' })).getAccessToken();
    const single = await mint(0);
    const pool: string[] = [];
    for (let i = 1; i <= poolSize; i++) {
      pool.push(await mint(i));
      if (i % 2000 === 0) onProgress?.(i);
    }
    return { single, pool, jwks: sessions.getJWKS() as { keys: object[] } };
  } finally {
    await app.close();
  }
}
