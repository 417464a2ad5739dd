/**
 * How a guard made with `new AuthGuard(...)` (no dependency injection) finds the `SessionService`
 * of the app serving the request, with no process-wide singleton and no per-request work: the
 * module stores its service on the app's own HTTP server object at start, and the guard reads it
 * back through the request (Express: `req.app`; Fastify: `request.server`, whose encapsulated
 * children inherit from the root instance). Two apps in one process have two servers.
 */
const APP_SESSION_SERVICE = Symbol('nest-session:app-service');

/** Stores the app's service on its HTTP server instance (the Express app or the Fastify instance). */
export function registerAppService(server: object, service: object): void {
  (server as { [APP_SESSION_SERVICE]?: object })[APP_SESSION_SERVICE] = service;
}

/** Removes it again (the app is shutting down). */
export function unregisterAppService(server: object, service: object): void {
  const holder = server as { [APP_SESSION_SERVICE]?: object };
  if (holder[APP_SESSION_SERVICE] === service) delete holder[APP_SESSION_SERVICE];
}

/** The service the module registered on an app's HTTP server instance, if any. */
export function appServiceOnServer<T>(server: object): T | undefined {
  return (server as { [APP_SESSION_SERVICE]?: T })[APP_SESSION_SERVICE];
}

/** The service of the app a request belongs to, if the module registered one. */
export function appServiceOf<T>(request: unknown): T | undefined {
  const r = request as { app?: Record<symbol, unknown>; server?: Record<symbol, unknown> } | undefined;
  return (r?.app?.[APP_SESSION_SERVICE] ?? r?.server?.[APP_SESSION_SERVICE]) as T | undefined;
}
