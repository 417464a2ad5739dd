import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from 'jose';
import { randomUUID } from 'node:crypto';
import type { SessionConfig } from '../config/session-config';
import type { SigningAlgorithm } from '../config/session-module-options';
import { SESSION_CONFIG } from '../session.constants';
import { SigningKeyStore, type StoredSigningKey } from '../storage/signing-key-store';

/** A key pair loaded into memory, imported once. */
export interface LoadedSigningKey {
  kid: string;
  algorithm: SigningAlgorithm;
  generation: number;
  createdAt: number;
  publicJwk: JWK;
  publicKey: KeyLike;
  privateKey: KeyLike;
  /** When the JWKS stops publishing it (every token it signed has expired), if a newer key exists. */
  retiresAt?: number;
}

/** A JSON Web Key Set, as served on `{apiBasePath}/jwt/jwks.json`. */
export interface JsonWebKeySet {
  keys: JWK[];
}

/** Unknown `kid`s reload keys from the database at most this often (another instance may have rotated). */
const UNKNOWN_KID_RELOAD_INTERVAL_MS = 1000;
/** How old an instance's view of the key table may get before signing re-reads it. */
const SIGNING_VIEW_MAX_AGE_MS = 60 * 1000;
/** Slack (clock skew, the signing view's age) before a superseded key leaves the JWKS. */
const RETIREMENT_SLACK_MS = 5 * 60 * 1000;

/**
 * Signing keys live in the database, so every instance signs and verifies with the same set.
 * Creation and rotation insert `(algorithm, generation + 1)`; the unique constraint lets exactly
 * one of several racing instances win, and the losers load the winner's key.
 */
@Injectable()
export class SigningKeyService implements OnModuleInit {
  private readonly logger = new Logger('SessionSigningKeys');
  private keys = new Map<string, LoadedSigningKey>();
  private current?: LoadedSigningKey;
  private lastReloadAt = 0;
  private pending?: Promise<void>;
  private scheduledReload?: Promise<number>;
  /** Reloads started so far; numbers them, so a request can tell one that began after it arrived. */
  private reloadsStarted = 0;

  constructor(
    @Inject(SigningKeyStore) private readonly store: SigningKeyStore,
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.initialise();
  }

  /** Loads keys and creates the first one if the database has none. */
  async initialise(): Promise<void> {
    await this.reload();
    if (!this.current || this.isDue(this.current)) await this.createNextGeneration();
  }

  /**
   * The key new tokens are signed with; rotates first when the interval has passed. The key set
   * is re-read at least every {@link SIGNING_VIEW_MAX_AGE_MS}, so an instance moves to a key
   * another instance rotated to well before the old key leaves the JWKS.
   */
  async getSigningKey(): Promise<LoadedSigningKey> {
    if (this.needsSigningRefresh()) {
      await this.serialise(async () => {
        // Re-checked inside: of many requests waiting here, only the first reloads.
        if (!this.needsSigningRefresh()) return;
        await this.reload();
        if (!this.current || this.isDue(this.current)) await this.createNextGeneration();
      });
    }
    return this.current!;
  }

  private needsSigningRefresh(): boolean {
    return !this.current || this.isDue(this.current) || Date.now() - this.lastReloadAt >= SIGNING_VIEW_MAX_AGE_MS;
  }

  /**
   * The key that verifies tokens with this `kid`. An unknown `kid` triggers a reload (rate-limited),
   * so an instance sees keys another instance created without restarting.
   */
  async getVerificationKey(kid: string): Promise<LoadedSigningKey | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    // Within the interval, wait for the next allowed reload instead of refusing: a token signed
    // with a key another instance just created must not fail, and random kids still cost at
    // most one query per interval. A reload that had already started when this request arrived
    // may have read the table before the key existed: then wait for the one after it.
    const startedBeforeArrival = this.reloadsStarted;
    for (let attempt = 0; attempt < 2; attempt++) {
      // A database error here refuses the token (try refresh) rather than answering 5xx.
      const reloadNumber = await this.scheduleReload().catch(() => undefined);
      if (reloadNumber === undefined) return undefined;
      const found = this.keys.get(kid);
      if (found || reloadNumber > startedBeforeArrival) return found;
    }
    return this.keys.get(kid);
  }

  /** The next rate-limited reload (shared by every request waiting for one); resolves with its number. */
  private scheduleReload(): Promise<number> {
    const wait = Math.min(this.lastReloadAt + UNKNOWN_KID_RELOAD_INTERVAL_MS - Date.now(), UNKNOWN_KID_RELOAD_INTERVAL_MS);
    this.scheduledReload ??= new Promise<void>((resolve) => setTimeout(resolve, Math.max(wait, 0)))
      .then(async () => {
        let number = 0;
        await this.serialise(async () => {
          const reloading = this.reload();
          number = this.reloadsStarted;
          await reloading;
        });
        return number;
      })
      .finally(() => (this.scheduledReload = undefined));
    return this.scheduledReload;
  }

  /** Synchronous lookup for the hot path; `undefined` means "ask {@link getVerificationKey}". */
  peekVerificationKey(kid: string): LoadedSigningKey | undefined {
    return this.keys.get(kid);
  }

  /**
   * Starts a new key generation now. The target is one past the key this instance signs with
   * when called, so instances that all trigger a rotation at once create exactly one key.
   */
  async rotate(): Promise<LoadedSigningKey> {
    const from = this.current?.generation ?? 0;
    await this.serialise(async () => {
      await this.reload();
      if ((this.current?.generation ?? 0) > from) return;
      await this.createNextGeneration();
    });
    return this.current!;
  }

  /** Public keys of every key that may still have signed a live token, newest first. */
  getJWKS(): JsonWebKeySet {
    const now = this.config.clock.now();
    return {
      keys: [...this.keys.values()]
        .filter((k) => k.retiresAt === undefined || k.retiresAt > now)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.algorithm, use: 'sig' })),
    };
  }

  /** Deletes keys whose tokens have all expired. */
  async deleteRetiredKeys(): Promise<number> {
    await this.serialise(() => this.reload());
    const now = this.config.clock.now();
    const retired = [...this.keys.values()].filter((k) => k.retiresAt !== undefined && k.retiresAt <= now);
    await this.store.delete(retired.map((k) => k.kid));
    for (const key of retired) this.keys.delete(key.kid);
    return retired.length;
  }

  private isDue(key: LoadedSigningKey): boolean {
    return this.config.clock.now() >= key.createdAt + this.config.signingKeyRotationInterval * 1000;
  }

  /** Runs key work one at a time per instance. */
  private async serialise(work: () => Promise<void>): Promise<void> {
    while (this.pending) await this.pending.catch(() => undefined);
    this.pending = work();
    try {
      await this.pending;
    } finally {
      this.pending = undefined;
    }
  }

  private async reload(): Promise<void> {
    this.reloadsStarted++;
    this.lastReloadAt = Date.now();
    const rows = await this.store.list();
    const next = new Map<string, LoadedSigningKey>();
    for (const row of rows) next.set(row.kid, this.keys.get(row.kid) ?? (await this.load(row)));
    this.assignRetirement([...next.values()]);
    this.keys = next;
    this.current = [...next.values()]
      .filter((k) => k.algorithm === this.config.signingAlgorithm)
      .sort((a, b) => b.generation - a.generation)[0];
  }

  /** A key retires once its successor has existed longer than any token lives; the newest never does. */
  private assignRetirement(keysByAge: LoadedSigningKey[]): void {
    const longestTokenMs = Math.max(this.config.accessTokenValidity, this.config.jwt.validitySeconds) * 1000;
    keysByAge.forEach((key, i) => {
      const successor = keysByAge[i + 1];
      key.retiresAt = successor ? successor.createdAt + longestTokenMs + RETIREMENT_SLACK_MS : undefined;
    });
  }

  private async createNextGeneration(): Promise<void> {
    const algorithm = this.config.signingAlgorithm;
    const generation = (this.current?.generation ?? 0) + 1;
    const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true, crv: algorithm === 'EdDSA' ? 'Ed25519' : undefined });
    const row: StoredSigningKey = {
      kid: `k-${randomUUID()}`,
      algorithm,
      generation,
      publicJwk: JSON.stringify(await exportJWK(publicKey)),
      privateJwk: JSON.stringify(await exportJWK(privateKey)),
      createdAt: this.config.clock.now(),
    };
    if (!(await this.store.insert(row))) {
      // Another instance created this generation first: use theirs.
      await this.reload();
      return;
    }
    this.logger.log(`created signing key generation ${generation} (${algorithm})`);
    await this.reload();
  }

  private async load(row: StoredSigningKey): Promise<LoadedSigningKey> {
    const algorithm = row.algorithm as SigningAlgorithm;
    const publicJwk = JSON.parse(row.publicJwk) as JWK;
    return {
      kid: row.kid,
      algorithm,
      generation: row.generation,
      createdAt: row.createdAt,
      publicJwk,
      publicKey: (await importJWK(publicJwk, algorithm)) as KeyLike,
      privateKey: (await importJWK(JSON.parse(row.privateJwk) as JWK, algorithm)) as KeyLike,
    };
  }
}
