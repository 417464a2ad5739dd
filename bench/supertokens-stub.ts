/**
 * A stub of the SuperTokens core for the throughput race: it serves the two things
 * supertokens-node's stateless session verification can ask a core for, the JWKS
 * (`GET /.well-known/jwks.json`) and the API version (`GET /apiversion`), and counts every
 * request it gets, so the report can show that verification made no other call (anything else
 * answers 404 and is counted under its path).
 *
 * It also mints access tokens in SuperTokens' v5 format with its own RS256 key, as the core
 * would: header `{ kid: "d-…", typ: "JWT", version: "5", alg: "RS256" }` (supertokens-node
 * refuses a `kid` without the `d-` prefix of dynamic keys under its default config); payload
 * `sub`, `rsub`, `tId`, `sessionHandle`, `refreshTokenHash1`, `exp`, `iat` (checked by
 * `validateAccessTokenStructure`), `parentRefreshTokenHash1: null` (a non-null parent makes
 * verification call the core to finish the refresh) and `antiCsrfToken: null`, plus whatever
 * custom claims the caller passes.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';

/** Core Driver Interface versions the stub claims (supertokens-node 24 speaks 5.4). */
const API_VERSIONS = ['5.2', '5.3', '5.4'];

export class SuperTokensCoreStub {
  /** Requests received, by `METHOD path`. */
  readonly hits = new Map<string, number>();
  private readonly privateKey: KeyObject;
  private readonly kid = `d-${randomUUID()}`;
  private readonly jwks: { keys: object[] };
  private server?: http.Server;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  /** Starts listening on an ephemeral port of 127.0.0.1; resolves with the base URL (the `connectionURI`). */
  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      const key = `${request.method} ${path}`;
      this.hits.set(key, (this.hits.get(key) ?? 0) + 1);
      const send = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method === 'GET' && path === '/.well-known/jwks.json') return send(200, this.jwks);
      if (request.method === 'GET' && path === '/apiversion') return send(200, { versions: API_VERSIONS });
      send(404, { message: 'not served by the bench stub' });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** `GET /.well-known/jwks.json ×2, GET /apiversion ×1` (or `none`). */
  describeHits(): string {
    if (this.hits.size === 0) return 'none';
    return [...this.hits.entries()].map(([key, n]) => `${key} ×${n}`).join(', ');
  }

  /** Requests other than the JWKS and the API version (the stateless path must make none). */
  unexpectedHits(): number {
    let n = 0;
    for (const [key, count] of this.hits) if (key !== 'GET /.well-known/jwks.json' && key !== 'GET /apiversion') n += count;
    return n;
  }

  /** A v5 access token for `userId` with `customClaims`, valid for `validitySeconds`. */
  async mint(userId: string, customClaims: Record<string, unknown>, validitySeconds = 3600): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      ...customClaims,
      sub: userId,
      rsub: userId,
      tId: 'public',
      sessionHandle: randomUUID(),
      refreshTokenHash1: createHash('sha256').update(randomBytes(32)).digest('hex'),
      parentRefreshTokenHash1: null,
      antiCsrfToken: null,
      iat: now,
      exp: now + validitySeconds,
    })
      .setProtectedHeader({ kid: this.kid, typ: 'JWT', version: '5', alg: 'RS256' })
      .sign(this.privateKey);
  }
}
