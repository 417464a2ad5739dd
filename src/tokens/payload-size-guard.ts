import { Inject, Injectable } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import type { TokenTransferMethod } from '../config/session-module-options';
import { SESSION_CONFIG } from '../session.constants';
import type { PayloadSizeLimit } from '../storage/payload-size-limit';
import { type LoadedSigningKey, SigningKeyService } from './signing-key.service';

/** Unpadded base64url length of `n` bytes. */
const base64Length = (n: number) => Math.ceil((4 * n) / 3);
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
/** The widest `iat`/`exp` (epoch seconds, ten digits until 2286). */
const EPOCH_SECONDS = 9_999_999_999;
/** Column widths of the session-owned strings in the payload (handle, refresh-token hashes, anti-CSRF token). */
const HANDLE = 'x'.repeat(36);
const HASH = 'x'.repeat(64);

/**
 * The size limits of payload writes. A token is `header.payload.signature` in base64url, so its
 * length is linear in the payload's JSON length; everything but the custom claims and the ids is
 * of known width. {@link limitFor} turns "the token stays within N bytes" into the
 * {@link PayloadSizeLimit} the store checks inside its write statement; writes that know the whole
 * new payload (creation, a legacy replace, an online merge) also sign it before writing, exactly.
 */
@Injectable()
export class PayloadSizeGuard {
  constructor(
    private readonly keys: SigningKeyService,
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
  ) {}

  /** The token limit of a transfer method; without one (offline writes), the smaller of the two. */
  tokenLimit(method?: TokenTransferMethod): number {
    const { cookie, header } = this.config.maxAccessTokenBytes;
    return method === undefined ? Math.min(cookie, header) : this.config.maxAccessTokenBytes[method];
  }

  /** The store-side form of `tokenLimit(method)` for the current signing key. */
  async limitFor(method?: TokenTransferMethod): Promise<PayloadSizeLimit> {
    const tokenLimit = this.tokenLimit(method);
    const key = await this.keys.getSigningKey();
    const signature = signatureLength(key);
    const header = base64Length(bytes({ alg: key.algorithm, typ: 'JWT', version: '5', kid: key.kid }));
    const maxPayload = Math.floor((3 * (tokenLimit - header - signature - 2)) / 4);
    // The payload without custom claims and with empty ids; the custom JSON (braces included)
    // adds at most its own length, the ids appear as `sub`, `rsub` and `tId`.
    const fixed = bytes({
      iss: this.config.issuer,
      sub: '',
      tId: '',
      rsub: '',
      sessionHandle: HANDLE,
      refreshTokenHash1: HASH,
      parentRefreshTokenHash1: HASH,
      antiCsrfToken: HASH,
      iat: EPOCH_SECONDS,
      exp: EPOCH_SECONDS,
    });
    const jwt = this.config.jwt;
    if (!jwt.enable) return { perPayloadByte: 1, perUserIdByte: 2, perTenantIdByte: 1, maxTotal: maxPayload - fixed, tokenLimit };
    // The payload JWT repeats the custom claims and the user id, base64url-encoded (4/3), inside
    // the payload: every length below is tripled to stay in whole numbers.
    const member = bytes(jwt.propertyName) + 4;
    const jwtHeader = base64Length(bytes({ alg: key.algorithm, typ: 'JWT', kid: key.kid }));
    const jwtFixed = bytes({ sub: '', iss: jwt.issuer, iat: EPOCH_SECONDS, exp: EPOCH_SECONDS });
    return {
      perPayloadByte: 7,
      perUserIdByte: 10,
      perTenantIdByte: 3,
      maxTotal: 3 * maxPayload - 3 * (fixed + member + jwtHeader + 2 + signature) - 2 - 4 * jwtFixed,
      tokenLimit,
    };
  }
}

/** Base64url length of a signature by this key: the RSA modulus length, 64 bytes for ES256 and Ed25519. */
function signatureLength(key: LoadedSigningKey): number {
  if (key.algorithm === 'RS256' && typeof key.publicJwk.n === 'string') return key.publicJwk.n.length;
  return base64Length(64);
}
