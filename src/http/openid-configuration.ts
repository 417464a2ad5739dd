import type { SessionConfig } from '../config/session-config';
import type { RequestLike } from '../transport/http-objects';

/** The part of an OpenID Provider Metadata document a token verifier needs (RFC 8414 / OIDC Discovery). */
export interface OpenIdConfiguration {
  issuer: string;
  jwks_uri: string;
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
}

/**
 * The discovery document served at `{apiBasePath}/.well-known/openid-configuration`: `issuer`
 * is the tokens' `iss`. `jwks_uri` must be absolute; its origin is the issuer's when the issuer
 * is an http(s) URL (the standard setup: `issuer: 'https://api.example.com/auth'`), else the
 * origin the request was addressed to.
 */
export function openIdConfiguration(config: SessionConfig, request: RequestLike): OpenIdConfiguration {
  const jwksPath = `${config.apiBasePath === '/' ? '' : config.apiBasePath}/jwt/jwks.json`;
  return {
    issuer: config.issuer,
    jwks_uri: absolute(jwksPath, issuerOrigin(config.issuer) ?? requestOrigin(request)),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [config.signingAlgorithm],
  };
}

function issuerOrigin(issuer: string): string | undefined {
  if (!/^https?:\/\//i.test(issuer)) return undefined;
  try {
    return new URL(issuer).origin;
  } catch {
    return undefined;
  }
}

/** `protocol://host` of the request (Express and Fastify both expose `protocol`, honouring their trust-proxy settings). */
function requestOrigin(request: RequestLike): string | undefined {
  const host = request.headers.host;
  if (!host) return undefined;
  const protocol = request.protocol === 'https' ? 'https' : 'http';
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    return undefined;
  }
}

/** The path on the origin, or the path alone when no origin is known (a relative reference). */
function absolute(path: string, origin: string | undefined): string {
  return origin === undefined ? path : `${origin}${path}`;
}
