import { IncomingMessage } from 'node:http';

/**
 * What the module keeps on one request, in one symbol-keyed slot (on the request, or in an
 * Express request's `res.locals`, see {@link localsOf}): the verified session (for
 * `@Session()`) and the handler a metadata-only guard verified it for (so a second such guard on
 * the same route does not verify again). The session is also put under the `requestProperty`
 * option (`req.session` by default), where Nest's own `@Session()` and user code read it.
 */
export interface RequestState {
  session?: unknown;
  verifiedFor?: unknown;
}

const REQUEST_STATE = Symbol('nest-session:request-state');

/** What the module knows of one request prototype. */
interface PrototypeInfo {
  /** Express's `app.request` (see {@link localsOf}). */
  express: boolean;
  /** Property names an accessor on this prototype serves from the slot (see {@link attachRequestState}). */
  served: Set<string>;
}

const NOT_EXPRESS: PrototypeInfo = { express: false, served: new Set() };
const prototypes = new WeakMap<object, PrototypeInfo>();
/** The last prototype looked up and what it is: one app's requests all share one. */
let lastPrototype: unknown;
let lastInfo: PrototypeInfo = NOT_EXPRESS;

/**
 * The slot of a request is kept on the request itself, or, for an Express request, in its
 * `res.locals` (Express's own place for request-scoped data, a null-prototype object made per
 * request). Express sets the prototype of every request (`Object.setPrototypeOf(req,
 * app.request)`), which gives each request a hidden class of its own: adding a property to it
 * copies that class (~4 µs and a map of garbage per property, bench/RESULTS.md "Express requests"),
 * where a key added to `res.locals` (a dictionary) costs next to nothing. One without
 * `res.locals` keeps the slot itself.
 *
 * This reads `res.locals` only; whether the request is Express's is asked of its prototype
 * ({@link infoOf}) only when it has them, because `Object.getPrototypeOf` is a runtime call
 * (~300 instructions) that Fastify requests, which have no `res`, need not pay.
 */
function localsOf(request: object): object | undefined {
  const locals: unknown = (request as { res?: { locals?: unknown } }).res?.locals;
  return typeof locals === 'object' && locals !== null ? locals : undefined;
}

/** The request's prototype info; Express is a Node request whose prototype is not Node's own (cached per prototype). */
function infoOf(request: object): PrototypeInfo {
  const prototype = Object.getPrototypeOf(request) as object | null;
  if (prototype === lastPrototype) return lastInfo;
  let info = prototype === null ? NOT_EXPRESS : prototypes.get(prototype);
  if (info === undefined) {
    const express = prototype !== IncomingMessage.prototype && request instanceof IncomingMessage;
    info = express ? { express, served: new Set() } : NOT_EXPRESS;
    prototypes.set(prototype!, info);
  }
  lastPrototype = prototype;
  lastInfo = info;
  return info;
}

/** The request's slot, if the module wrote one. */
export function readRequestState(request: unknown): RequestState | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  return (holderOf(request) as { [REQUEST_STATE]?: RequestState })[REQUEST_STATE];
}

/** Writes the request's slot (replacing what an earlier guard of the same request wrote). */
export function writeRequestState(request: object, state: RequestState): void {
  writeSlot(request, holderOf(request), state);
}

/** The object that holds the request's slot: an Express request's `res.locals`, else the request. */
function holderOf(request: object): object {
  const locals = localsOf(request);
  return locals !== undefined && infoOf(request).express ? locals : request;
}

function writeSlot(request: object, holder: object, state: RequestState): void {
  if (holder === request) (request as { [REQUEST_STATE]?: RequestState })[REQUEST_STATE] = state;
  // Not enumerable in `res.locals`: Express spreads the locals into a view's options.
  else Object.defineProperty(holder, REQUEST_STATE, { value: state, writable: true, configurable: true });
}

/**
 * Writes the request's slot and puts `state.session` under `property` (`req.session`). On an
 * Express request the property is served by an accessor on Express's `app.request`, installed
 * once, that reads the slot in `res.locals`: writing it per request would copy the request's
 * hidden class (~4 µs, see {@link localsOf}). Its setter gives the request an own data property,
 * so code that assigns `req.session` (a middleware, the handler) gets what it assigned, and the
 * guard overwrites such an own value as before. Not installed where the prototype chain already
 * has the property.
 */
export function attachRequestState(request: object, property: string, state: RequestState): void {
  const locals = localsOf(request);
  const info = locals === undefined ? NOT_EXPRESS : infoOf(request);
  const holder = info.express ? locals! : request;
  writeSlot(request, holder, state);
  const served = holder !== request && (info.served.has(property) || serveProperty(request, info, property));
  if (!served || Object.prototype.hasOwnProperty.call(request, property)) (request as Record<string, unknown>)[property] = state.session;
}

/** Installs the accessor of `property` on the request's prototype (Express's `app.request`), unless its chain already has one. */
function serveProperty(request: object, info: PrototypeInfo, property: string): boolean {
  const prototype = Object.getPrototypeOf(request) as object;
  if (property in prototype) return false;
  Object.defineProperty(prototype, property, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return readRequestState(this)?.session;
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, property, { value, writable: true, enumerable: true, configurable: true });
    },
  });
  info.served.add(property);
  return true;
}
