import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A pending email-verification link. Only a hash of the link's token is stored. */
@Entity({ name: 'sample_email_verification_tokens' })
export class VerificationTokenEntity {
  /** SHA-256 of the token (base64url): a database dump yields no usable link. */
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Index()
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt!: Date;
}
