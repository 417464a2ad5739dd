/** A signing key pair as stored: JWKs as JSON text. */
export interface StoredSigningKey {
  kid: string;
  algorithm: string;
  /** Per algorithm: 1 for the first key, +1 per rotation. */
  generation: number;
  publicJwk: string;
  /** Protect the store as you would the key. */
  privateJwk: string;
  /** Epoch ms. */
  createdAt: number;
}

/**
 * Where signing keys live, shared by every instance of the app. The default is
 * `TypeOrmSigningKeyStore`; give another with the `signingKeyStore` option.
 */
export interface SigningKeyStore {
  /** Every key, oldest first. */
  list(): Promise<StoredSigningKey[]>;
  /**
   * Adds a key unless one with the same `(algorithm, generation)` exists: then `false` (another
   * instance created that generation first), which makes concurrent rotations create one key.
   */
  insert(key: StoredSigningKey): Promise<boolean>;
  /** Deletes keys by `kid`. */
  delete(kids: string[]): Promise<void>;
}

/** Injection token of the {@link SigningKeyStore}. */
export const SigningKeyStore = Symbol('SigningKeyStore');
