/**
 * The ONE place where bench code reaches inside `src/` (everything else uses `src/index.ts`).
 * Issue 10 reorganises `src/`: when a path or a name below moves, repoint it here and nothing
 * else in bench/ changes.
 *
 *   - `accessTokenVerifier(app)`: the library's verify path (signature, expiry, shape, cache)
 *     without the session object and claim validation around it, for the verify
 *     microbenchmark (`bench/verify.ts`). The public path (`getSessionWithoutRequestResponse`)
 *     is measured beside it.
 *   - `formatRefreshToken` / `refreshTokenStorageHash`: the refresh-token format, so the scale
 *     bench (`bench/scale.ts`) can bulk-load rows whose tokens really refresh.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { AccessTokenService } from '../src/tokens/access-token.service';

export { formatRefreshToken, refreshTokenStorageHash } from '../src/tokens/refresh-token';

/**
 * Verifies one access token (throws on a refused one) and returns its payload: synchronously
 * when its key is loaded (the guard's path), a promise only for an unknown `kid`.
 */
export type AccessTokenVerifier = (token: string) => object | Promise<object>;

/** The app's access-token verify function (the guard's hot path minus the session object). */
export function accessTokenVerifier(app: INestApplicationContext): AccessTokenVerifier {
  const service = app.get(AccessTokenService, { strict: false });
  return (token) => service.verifyNow(token);
}
