/** Request key the module's middleware stores its {@link SessionService} under (per app, not global). */
export const SESSION_SERVICE_KEY = Symbol('nest-session:service');
/** Request key the verified session is stored under, whatever `requestProperty` says. */
export const SESSION_KEY = Symbol('nest-session:session');

/** Reads a symbol-keyed value from a request, looking through Fastify's wrapper to the raw request. */
export function readRequestSymbol<T>(request: unknown, key: symbol): T | undefined {
  const r = request as Record<symbol, unknown> & { raw?: Record<symbol, unknown> };
  return (r?.[key] ?? r?.raw?.[key]) as T | undefined;
}
