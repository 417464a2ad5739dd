import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { epochMsTransformer } from '../epoch-ms.transformer';
import { TABLES } from '../table-names';

/**
 * An access-token signing key pair. `(algorithm, generation)` is unique, so when several app
 * instances create the first key or rotate at the same moment, exactly one insert wins.
 */
@Entity({ name: TABLES.signingKeys })
@Unique('uq_nest_session_key_generation', ['algorithm', 'generation'])
export class SigningKeyEntity {
  @PrimaryColumn({ name: 'kid', type: 'varchar', length: 64 })
  kid!: string;

  @Column({ name: 'algorithm', type: 'varchar', length: 16 })
  algorithm!: string;

  @Column({ name: 'generation', type: 'int' })
  generation!: number;

  /** Public JWK, JSON text. */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk!: string;

  /** Private JWK, JSON text. Protect the database as you would the key. */
  @Column({ name: 'private_jwk', type: 'text' })
  privateJwk!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMsTransformer })
  createdAt!: number;
}
