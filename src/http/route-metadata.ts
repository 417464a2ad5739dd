/** Metadata: route opts out of (or, with false, back into) a global guard. */
export const PUBLIC_METADATA = 'nest-session:public';
/** Metadata: guard options set with `@VerifySession(...)`. */
export const VERIFY_SESSION_METADATA = 'nest-session:verify-session';
/** Metadata: validators added with `@RequireClaim(...)`. */
export const REQUIRE_CLAIM_METADATA = 'nest-session:require-claim';
/** Metadata: the module's own routes (refresh, signout, JWKS); every AuthGuard leaves them alone. */
export const BUILT_IN_ROUTE_METADATA = 'nest-session:built-in-route';
