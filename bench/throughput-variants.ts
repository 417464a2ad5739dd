/** The adapters and route variants of the throughput race, shared by the orchestrator and its servers. */

export const ADAPTERS = ['express', 'fastify'] as const;
export type Adapter = (typeof ADAPTERS)[number];

/**
 * Which bearer token a server's requests carry:
 *   `ours`        the one access token minted by our module (every request the same bytes);
 *   `ours-pool`   a different valid token of our module on every request, from a pool large
 *                 enough that no token reaches a server twice, so none of them is a cache hit;
 *   `supertokens` a v5 access token minted with the SuperTokens core stub's key.
 * Unguarded variants carry `ours` too, so every request has the same size.
 */
export type TokenKind = 'ours' | 'ours-pool' | 'supertokens';

export interface VariantInfo {
  /** Row label of the report. */
  label: string;
  /** The route refuses a request without a token (checked before the race). */
  guarded: boolean;
  token: TokenKind;
  /** The server opens our module on the shared bench database (and so knows our signing key). */
  usesModule: boolean;
  /** Part of a run without `--variants`. */
  byDefault: boolean;
}

/** In report order. `bare` is the reference of every "÷ bare" ratio. */
export const VARIANTS = {
  bare: { label: 'bare route (no guard)', guarded: false, token: 'ours', usesModule: false, byDefault: true },
  'module-only': { label: 'bare route, SessionModule imported (no guard)', guarded: false, token: 'ours', usesModule: true, byDefault: true },
  noop: { label: 'no-op async guard (Nest guard floor)', guarded: false, token: 'ours', usesModule: false, byDefault: true },
  ours: { label: 'our AuthGuard, steady-state token (cache hit)', guarded: true, token: 'ours', usesModule: true, byDefault: true },
  'ours-fresh': { label: 'our AuthGuard, never-seen tokens (cache on, misses)', guarded: true, token: 'ours-pool', usesModule: true, byDefault: true },
  'ours-nocache': { label: 'our AuthGuard, cache off (verifiedTokenCacheSize: 0)', guarded: true, token: 'ours', usesModule: true, byDefault: true },
  'ours-claim': { label: 'our AuthGuard + global BooleanClaim validator (cache hit)', guarded: true, token: 'ours', usesModule: true, byDefault: false },
  jose: { label: 'minimal jose.jwtVerify guard (key imported once)', guarded: true, token: 'ours', usesModule: false, byDefault: true },
  supertokens: { label: "supertokens-node verifySession() in the guide's AuthGuard", guarded: true, token: 'supertokens', usesModule: false, byDefault: true },
  passport: { label: 'passport-jwt, documented setup (secretOrKey PEM)', guarded: true, token: 'ours', usesModule: false, byDefault: true },
  'passport-keyobject': { label: 'passport-jwt, secretOrKey an imported KeyObject', guarded: true, token: 'ours', usesModule: false, byDefault: true },
} satisfies Record<string, VariantInfo>;
export type Variant = keyof typeof VARIANTS;
export const ALL_VARIANTS = Object.keys(VARIANTS) as Variant[];

/** Environment a server reads its setup from (set by the orchestrator, or by hand for a standalone server). */
export const SERVER_ENV = {
  /** SQLite file of our module, shared by every `usesModule` server and the token minter. */
  database: 'BENCH_SQLITE_FILE',
  /** Public JWK (JSON) of our module's signing key, for the jose and passport guards. */
  publicJwk: 'BENCH_PUBLIC_JWK',
  /** Base URL of the SuperTokens core stub. */
  supertokensCore: 'BENCH_SUPERTOKENS_CORE',
} as const;
