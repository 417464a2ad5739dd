/**
 * What the module keeps on one request, in one symbol-keyed slot: the verified session (for
 * `@Session()`) and the handler a metadata-only guard verified it for (so a second such guard on
 * the same route does not verify again). The session is also put under the `requestProperty`
 * option (`req.session` by default), where Nest's own `@Session()` and user code read it.
 */
export interface RequestState {
  session?: unknown;
  verifiedFor?: unknown;
}

const REQUEST_STATE = Symbol('nest-session:request-state');

/** The request's slot, if the module wrote one. */
export function readRequestState(request: unknown): RequestState | undefined {
  return (request as { [REQUEST_STATE]?: RequestState } | undefined)?.[REQUEST_STATE];
}

/** Writes the request's slot (replacing what an earlier guard of the same request wrote). */
export function writeRequestState(request: object, state: RequestState): void {
  (request as { [REQUEST_STATE]?: RequestState })[REQUEST_STATE] = state;
}
