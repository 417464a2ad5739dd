/** The adapters and route variants of the throughput benchmark, shared by the orchestrator and its servers. */

export const ADAPTERS = ['express', 'fastify'] as const;
export type Adapter = (typeof ADAPTERS)[number];

export interface VariantInfo {
  /** Row label of the report. */
  label: string;
  /** Requests need the access token of this server's own session. */
  guarded: boolean;
  /** The server creates a session at start and reports its token and JWKS. */
  mintsToken: boolean;
  /** Part of a run without `--variants`. */
  byDefault: boolean;
}

/** In report order. `bare` is the reference of every ratio; `passport` the reference of the second. */
export const VARIANTS = {
  bare: { label: 'bare route (no guard)', guarded: false, mintsToken: false, byDefault: true },
  'module-only': { label: 'bare route, SessionModule imported (its middleware, no guard)', guarded: false, mintsToken: false, byDefault: false },
  ours: { label: 'AuthGuard, header token, verified-token cache on', guarded: true, mintsToken: true, byDefault: true },
  'ours-nocache': { label: 'AuthGuard, cache off (verifiedTokenCacheSize: 0)', guarded: true, mintsToken: true, byDefault: true },
  'ours-claim': { label: 'AuthGuard + global BooleanClaim validator (cache on)', guarded: true, mintsToken: true, byDefault: true },
  passport: { label: "@nestjs/passport AuthGuard('jwt') + passport-jwt", guarded: true, mintsToken: false, byDefault: true },
  'passport-keyobject': {
    label: 'passport-jwt, secretOrKey an imported KeyObject (no PEM import per request)',
    guarded: true,
    mintsToken: false,
    byDefault: false,
  },
} satisfies Record<string, VariantInfo>;
export type Variant = keyof typeof VARIANTS;
