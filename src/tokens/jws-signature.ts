import { KeyObject, verify as cryptoVerify } from 'node:crypto';
import type { SigningAlgorithm } from '../config/session-module-options';

/** `crypto.verify`'s digest and key argument for one key, worked out once. */
interface VerifyInput {
  algorithm: SigningAlgorithm;
  digest: 'sha256' | null;
  key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
}

/** Per public key, for the key's lifetime; `null`: the key cannot verify its algorithm. */
const inputs = new WeakMap<KeyObject, VerifyInput | null>();

/**
 * What `crypto.verify` needs for `algorithm`, or `null` if `key` is not a key of that algorithm
 * (the checks jose makes per call: RSA of at least 2048 bits, P-256 for ES256, Ed25519/Ed448 for
 * EdDSA). JWS ES256 signatures are raw `r‖s`, hence `ieee-p1363`.
 */
function verifyInputFor(algorithm: SigningAlgorithm, key: KeyObject): VerifyInput | null {
  if (!(key instanceof KeyObject) || key.type !== 'public') return null;
  const details = key.asymmetricKeyDetails;
  switch (algorithm) {
    case 'RS256':
      return key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048 ? { algorithm, digest: 'sha256', key } : null;
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1'
        ? { algorithm, digest: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } }
        : null;
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? { algorithm, digest: null, key } : null;
    default:
      return null;
  }
}

/**
 * Whether `signature` (base64url) is a valid `algorithm` signature of `signingInput` (ASCII, the
 * compact JWS's `header.payload`) under `key`. Synchronous, on the calling thread: a one-shot RSA
 * check costs less than the thread-pool round trip jose's asynchronous `crypto.verify` adds.
 * The algorithm is the key's own (the caller pins it), never the token's.
 */
export function jwsSignatureValid(algorithm: SigningAlgorithm, key: KeyObject, signingInput: string, signature: string): boolean {
  let input = inputs.get(key);
  if (input === undefined || (input !== null && input.algorithm !== algorithm)) {
    input = verifyInputFor(algorithm, key);
    inputs.set(key, input);
  }
  if (input === null) return false;
  try {
    return cryptoVerify(input.digest, Buffer.from(signingInput, 'latin1'), input.key, Buffer.from(signature, 'base64url'));
  } catch {
    // A malformed signature (e.g. a DER error for an odd length) is a bad signature, not a 500.
    return false;
  }
}
