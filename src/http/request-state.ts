import { IncomingMessage } from 'node:http';

/**
 * What the module keeps on one request, in one symbol-keyed slot (on the request, or in an
 * Express request's `res.locals`, see {@link holderOf}): the verified session (for
 * `@Session()`) and the handler a metadata-only guard verified it for (so a second such guard on
 * the same route does not verify again). The session is also put under the `requestProperty`
 * option (`req.session` by default), where Nest's own `@Session()` and user code read it.
 */
export interface RequestState {
  session?: unknown;
  verifiedFor?: unknown;
}

const REQUEST_STATE = Symbol('nest-session:request-state');

/** Per request prototype: whether it is Express's (see {@link holderOf}). */
const expressPrototypes = new WeakMap<object, boolean>();
/** The last prototype looked up and its answer: one app's requests all share one. */
let lastPrototype: unknown;
let lastIsExpress = false;

/**
 * The object that holds a request's slot: the request itself, or, for an Express request, its
 * `res.locals` (Express's own place for request-scoped data, a null-prototype object made per
 * request). Express sets the prototype of every request (`Object.setPrototypeOf(req,
 * app.request)`), which gives each request a hidden class of its own: adding a property to it
 * copies that class (~4 µs and a map of garbage per property, bench/RESULTS.md "Express requests"),
 * where a key added to `res.locals` (a dictionary) costs next to nothing. Recognised as a Node
 * request whose prototype is not Node's own; one without `res.locals` keeps the slot itself.
 */
function holderOf(request: object): object {
  if (!isExpressRequest(request)) return request;
  const locals: unknown = (request as { res?: { locals?: unknown } }).res?.locals;
  return typeof locals === 'object' && locals !== null ? locals : request;
}

/** A Node request whose prototype is not Node's own: Express's `app.request` (answer cached per prototype). */
function isExpressRequest(request: object): boolean {
  const prototype = Object.getPrototypeOf(request) as object | null;
  if (prototype === lastPrototype) return lastIsExpress;
  let isExpress = prototype === null ? false : expressPrototypes.get(prototype);
  if (isExpress === undefined) {
    isExpress = prototype !== IncomingMessage.prototype && request instanceof IncomingMessage;
    expressPrototypes.set(prototype!, isExpress);
  }
  lastPrototype = prototype;
  lastIsExpress = isExpress;
  return isExpress;
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

function writeSlot(request: object, holder: object, state: RequestState): void {
  if (holder === request) (request as { [REQUEST_STATE]?: RequestState })[REQUEST_STATE] = state;
  // Not enumerable in `res.locals`: Express spreads the locals into a view's options.
  else Object.defineProperty(holder, REQUEST_STATE, { value: state, writable: true, configurable: true });
}

/** Per Express request prototype: the property names whose accessor it carries (see {@link attachRequestState}). */
const servedProperties = new WeakMap<object, Set<string>>();

/**
 * Writes the request's slot and puts `state.session` under `property` (`req.session`). On an
 * Express request the property is served by an accessor on Express's `app.request`, installed
 * once, that reads the slot in `res.locals`: writing it per request would copy the request's
 * hidden class (~4 µs, see {@link holderOf}). Its setter gives the request an own data property,
 * so code that assigns `req.session` (a middleware, the handler) gets what it assigned, and the
 * guard overwrites such an own value as before. Not installed where the prototype chain already
 * has the property.
 */
export function attachRequestState(request: object, property: string, state: RequestState): void {
  const holder = holderOf(request);
  writeSlot(request, holder, state);
  const served = holder !== request && servesProperty(Object.getPrototypeOf(request) as object, property);
  if (!served || Object.prototype.hasOwnProperty.call(request, property)) (request as Record<string, unknown>)[property] = state.session;
}

/** Whether `prototype` (Express's `app.request`) serves `property` from the slot, installing the accessor on first use. */
function servesProperty(prototype: object, property: string): boolean {
  let served = servedProperties.get(prototype);
  if (served?.has(property)) return true;
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
  if (!served) servedProperties.set(prototype, (served = new Set()));
  served.add(property);
  return true;
}
