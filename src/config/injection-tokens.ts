/** Injection token of the resolved configuration ({@link SessionConfig}). */
export const SESSION_CONFIG = 'nest-session:config';
/** Injection token of the extras given at declaration (`isGlobal`, `globalGuard`, `apiBasePath`, `dataSourceName`). */
export const SESSION_EXTRAS = 'nest-session:extras';
