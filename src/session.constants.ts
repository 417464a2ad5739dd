/** Injection token of the resolved configuration ({@link SessionConfig}). */
export const SESSION_CONFIG = 'nest-session:config';
/** Injection token of the extras given at declaration (`isGlobal`, `globalGuard`, `apiBasePath`, `dataSourceName`). */
export const SESSION_EXTRAS = 'nest-session:extras';
/** Injection token of the TypeORM DataSource the module stores in (`undefined` when every store is a custom one). */
export const SESSION_DATA_SOURCE = 'nest-session:data-source';

/** Metadata: route opts out of (or, with false, back into) a global guard. */
export const PUBLIC_METADATA = 'nest-session:public';
/** Metadata: guard options set with `@VerifySession(...)`. */
export const VERIFY_SESSION_METADATA = 'nest-session:verify-session';
/** Metadata: validators added with `@RequireClaim(...)`. */
export const REQUIRE_CLAIM_METADATA = 'nest-session:require-claim';
/** Metadata: the module's own routes (refresh, signout, JWKS); every AuthGuard leaves them alone. */
export const BUILT_IN_ROUTE_METADATA = 'nest-session:built-in-route';
